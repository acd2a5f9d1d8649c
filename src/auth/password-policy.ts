/**
 * Password rules (pure): length and character classes from config (PASSWORD_MIN_LENGTH,
 * PASSWORD_MIN_CLASSES), never the username, never one of the passwords every guessing list
 * starts with. Returns the Chinese reason a password is refused, or null.
 */
export interface PasswordPolicy {
  minLength: number;
  minClasses: number;
}

/**
 * Written for this platform: the keyboard walks, repeated digits, words and pinyin phrases
 * that dominate leaked-password lists, plus the platform's own obvious guesses.
 */
const COMMON = new Set([
  '12345678',
  '123456789',
  '1234567890',
  '87654321',
  '11111111',
  '00000000',
  '88888888',
  '66666666',
  '12341234',
  '11223344',
  '123123123',
  '147258369',
  '1qaz2wsx',
  '1q2w3e4r',
  '1q2w3e4r5t',
  'qwer1234',
  'qwerty12',
  'qwerty123',
  'qwertyuiop',
  'asdf1234',
  'asdfghjkl',
  'zxcvbnm1',
  'a1234567',
  'a12345678',
  'abc12345',
  'abcd1234',
  'abc123456',
  'aa123456',
  'password',
  'password1',
  'password12',
  'password123',
  'passw0rd',
  'p@ssw0rd',
  'p@ssword',
  'admin123',
  'admin1234',
  'admin12345',
  'administrator',
  'root1234',
  'welcome1',
  'letmein1',
  'iloveyou',
  'woaini1314',
  '5201314520',
  'woaini520',
  'wangyang',
  'zhang123',
  'huang123',
  'li123456',
  'qq123456',
  'aaaaaaaa',
  'abcdefgh',
  'test1234',
  'changeme',
  'changeme1',
  'zhengfu123',
  'gov12345',
  'zwgk1234',
  'yuqing123',
  'platform1',
]);

const CLASSES = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/];

export function passwordProblem(password: string, username: string, policy: PasswordPolicy): string | null {
  if ([...password].length < policy.minLength) return `密码至少 ${policy.minLength} 位`;
  if (password.length > 256) return '密码过长';
  const classes = CLASSES.filter((re) => re.test(password)).length;
  if (classes < policy.minClasses)
    return `密码须包含小写字母、大写字母、数字、符号中的至少 ${policy.minClasses} 类`;
  const lower = password.toLowerCase();
  const name = username.trim().toLowerCase();
  if (name.length >= 3 && lower.includes(name)) return '密码不能包含用户名';
  if (COMMON.has(lower)) return '密码过于常见，请换一个';
  return null;
}
