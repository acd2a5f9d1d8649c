/** Channels of SPEC §2.2: a stable code for machines and the Chinese label people read. */
export const CHANNELS = {
  weibo: '微博',
  wechat: '微信',
  news: '新闻网站',
  forum: '论坛/贴吧',
  short_video: '短视频',
  hotline_12345: '12345热线',
  leader_board: '领导留言板',
  other: '其他',
} as const;
export type ChannelCode = keyof typeof CHANNELS;

const ALIASES: Record<string, ChannelCode> = {
  新闻: 'news',
  网站: 'news',
  论坛: 'forum',
  贴吧: 'forum',
  视频: 'short_video',
  抖音: 'short_video',
  快手: 'short_video',
  '12345': 'hotline_12345',
  热线: 'hotline_12345',
  留言板: 'leader_board',
  公众号: 'wechat',
};

const BY_LABEL = new Map<string, ChannelCode>(
  Object.entries(CHANNELS).map(([code, label]) => [label, code as ChannelCode]),
);

/** Accepts a code ("weibo") or a label ("微博", "贴吧"); null when unknown. */
export function channelCode(input: string): ChannelCode | null {
  const v = input.trim();
  if (v in CHANNELS) return v as ChannelCode;
  const lower = v.toLowerCase();
  if (lower in CHANNELS) return lower as ChannelCode;
  return BY_LABEL.get(v) ?? ALIASES[v] ?? null;
}

export function channelLabel(code: string): string {
  return (CHANNELS as Record<string, string>)[code] ?? code;
}
