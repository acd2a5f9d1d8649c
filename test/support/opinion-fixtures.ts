/**
 * What a crawler delivers about a county on one afternoon: three local incidents, a pleasant
 * piece of news, reposts and 洗稿 near-copies, and unrelated chatter, interleaved.
 */
export interface FixtureItem {
  incident: 'explosion' | 'school' | 'hospital' | 'elderly' | 'chatter';
  source: string;
  channel: string;
  externalId?: string;
  url?: string;
  title?: string;
  content: string;
  author?: string;
  minutes: number;
  metrics?: Record<string, number>;
}

const explosion: FixtureItem[] = [
  {
    incident: 'explosion',
    source: 'news-crawler',
    channel: 'news',
    url: 'https://news.example.cn/2025/0612/qingshi-blast.html',
    title: '青石镇一化工厂发生爆炸 已致3人死亡',
    content:
      '6月12日14时许，青石镇工业园区内一化工厂发生爆炸，现场浓烟滚滚。据应急管理局通报，事故已造成3人死亡、5人受伤，伤者已送医救治，事故原因正在调查。',
    author: '县融媒体中心',
    minutes: 3,
  },
  {
    incident: 'explosion',
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId: 'wb-1001',
    content:
      '青石镇化工厂那边刚才一声巨响，好大的浓烟，窗户都在震，太吓人了！有没有人知道怎么回事 #青石镇爆炸#',
    author: '青石镇小王',
    minutes: 1,
    metrics: { shares: 120, comments: 80, likes: 400 },
  },
  {
    incident: 'explosion',
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId: 'wb-1002',
    content:
      '转发微博 //@青石镇小王: 青石镇化工厂那边刚才一声巨响，好大的浓烟，窗户都在震，太吓人了！有没有人知道怎么回事 #青石镇爆炸#',
    author: '路人甲',
    minutes: 6,
  },
  {
    incident: 'explosion',
    source: 'wechat-crawler',
    channel: '微信',
    externalId: 'wx-88',
    title: '突发！青石镇化工厂爆炸，3人遇难',
    content:
      '今天下午，青石镇工业园区一家化工厂突然发生爆炸，造成3人死亡，另有5人受伤被送往医院，消防和救援人员已赶到现场处置。',
    author: '本地生活圈',
    minutes: 12,
  },
  {
    incident: 'explosion',
    source: 'video-crawler',
    channel: 'short_video',
    externalId: 'dy-5521',
    content:
      '青石镇化工厂爆炸现场视频，消防车一辆接一辆开过去，听说死了3个人，工厂平时安全隐患就很多，一直没人管',
    author: '抖音用户8812',
    minutes: 18,
  },
  {
    incident: 'explosion',
    source: 'forum-crawler',
    channel: '论坛/贴吧',
    externalId: 'tb-77',
    content:
      '青石镇化工厂爆炸到底怎么回事？附近居民担心空气有毒，这家工厂之前就被投诉过偷排，为什么还让它生产？',
    author: '贴吧网友',
    minutes: 25,
  },
  {
    incident: 'explosion',
    source: 'news-crawler',
    channel: 'news',
    url: 'https://other.example.cn/a/qingshi.html',
    title: '青石镇化工厂爆炸致3死5伤',
    content:
      '12日14时许，青石镇工业园区内一家化工厂发生爆炸，浓烟滚滚。应急管理局通报称，事故造成3人死亡、5人受伤，伤者已送医，事故原因正在调查中。',
    author: '某都市报',
    minutes: 30,
  },
];

const school: FixtureItem[] = [
  {
    incident: 'school',
    source: '12345',
    channel: 'hotline_12345',
    externalId: 'rx-20250612-001',
    title: '城南实验小学学位不足',
    content:
      '市民来电反映：孩子今年幼升小，家住城南新区，按划片应入读城南实验小学，但学校称学位不足要调剂到十公里外的学校，家长非常不满，要求教育局给个说法。',
    minutes: 2,
  },
  {
    incident: 'school',
    source: 'liuyan',
    channel: '领导留言板',
    externalId: 'ly-3390',
    title: '城南实验小学划片入学不合理',
    content:
      '尊敬的领导：城南新区几千户人家只有城南实验小学一所学校，学位严重不足，今年很多孩子被调剂到很远的学校，上学太难了，划片入学政策不合理，希望尽快解决。',
    author: '城南家长',
    minutes: 9,
  },
  {
    incident: 'school',
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId: 'wb-2001',
    content:
      '城南实验小学今年学位又不够，孩子被调剂到十公里外，每天上学要坐一个小时车，教育局推诿扯皮，太失望了',
    author: '城南妈妈',
    minutes: 14,
  },
  {
    incident: 'school',
    source: 'forum-crawler',
    channel: 'forum',
    externalId: 'tb-88',
    content: '城南新区的家长们，实验小学学位不足被调剂的集合一下，教育局一直没有回应，我们要一起维权讨个说法',
    author: '学区房业主',
    minutes: 21,
  },
  {
    incident: 'school',
    source: '12345',
    channel: '12345热线',
    externalId: 'rx-20250612-017',
    content:
      '市民来电：城南实验小学学位不足，孩子被调剂到外区学校，家长对划片入学安排不满意，要求教育局公开学位分配情况。',
    minutes: 33,
  },
  {
    incident: 'school',
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId: 'wb-2002',
    content:
      '转发 城南实验小学学位不够，孩子被调剂到十公里外，每天上学要坐一个小时的车，教育局推诿扯皮，太失望了！',
    author: '城南爸爸',
    minutes: 37,
  },
];

const hospital: FixtureItem[] = [
  {
    incident: 'hospital',
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId: 'wb-3001',
    content: '县人民医院急诊排了四个小时还没看上病，发烧的孩子一直哭，只有一个医生值班，这就医体验太差了',
    author: '河西李女士',
    minutes: 4,
  },
  {
    incident: 'hospital',
    source: 'liuyan',
    channel: 'leader_board',
    externalId: 'ly-3401',
    title: '县人民医院挂号难、排队时间长',
    content:
      '县人民医院挂号难问题长期存在，早上六点去排队都挂不上号，急诊等候四五个小时，希望卫健委重视，增加医生和诊室。',
    author: '河西居民',
    minutes: 16,
  },
  {
    incident: 'hospital',
    source: '12345',
    channel: 'hotline_12345',
    externalId: 'rx-20250612-023',
    content:
      '市民来电反映县人民医院急诊等候时间过长，医生数量不足，就医困难，对医院管理不满意，要求卫健委督促整改。',
    minutes: 28,
  },
  {
    incident: 'hospital',
    source: 'forum-crawler',
    channel: 'forum',
    externalId: 'tb-99',
    content: '有没有人觉得县人民医院现在看病太难了？挂号排队几个小时，医生态度也差，投诉了也没人理',
    author: '河西老张',
    minutes: 40,
  },
];

const elderly: FixtureItem[] = [
  {
    incident: 'elderly',
    source: 'wechat-crawler',
    channel: 'wechat',
    externalId: 'wx-120',
    title: '东湖社区长者食堂开业',
    content:
      '东湖社区长者食堂今天开业，老年人每餐只要8元，菜品丰富，老人们纷纷点赞，社区养老服务越来越贴心了。',
    author: '东湖社区',
    minutes: 8,
  },
  {
    incident: 'elderly',
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId: 'wb-4001',
    content: '带我爸去东湖社区长者食堂吃饭，8块钱两荤一素，老人吃得很满意，这个养老服务真暖心，点赞！',
    author: '东湖居民',
    minutes: 19,
  },
  {
    incident: 'elderly',
    source: 'news-crawler',
    channel: 'news',
    url: 'https://news.example.cn/2025/0612/donghu-canteen.html',
    title: '东湖社区长者食堂让老人吃上暖心饭',
    content:
      '东湖社区长者食堂正式开业，为辖区老年人提供每餐8元的助餐服务，居民对这一养老服务举措表示满意和感谢。',
    author: '县融媒体中心',
    minutes: 35,
  },
];

const chatter: FixtureItem[] = [
  {
    incident: 'chatter',
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId: 'wb-9001',
    content: '今天天气真好，和朋友去湖边骑车，晚霞特别美',
    author: 'a1',
    minutes: 5,
  },
  {
    incident: 'chatter',
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId: 'wb-9002',
    content: '昨晚的欧冠决赛太精彩了，点球大战看得心跳加速',
    author: 'a2',
    minutes: 11,
  },
  {
    incident: 'chatter',
    source: 'video-crawler',
    channel: 'short_video',
    externalId: 'dy-9003',
    content: '教大家做一道家常红烧肉，肥而不腻，入口即化，记得点赞收藏',
    author: 'a3',
    minutes: 15,
  },
  {
    incident: 'chatter',
    source: 'forum-crawler',
    channel: 'forum',
    externalId: 'tb-9004',
    content: '求推荐一款适合学生党的笔记本电脑，预算五千左右，主要写代码',
    author: 'a4',
    minutes: 22,
  },
  {
    incident: 'chatter',
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId: 'wb-9005',
    content: '新上映的那部科幻电影特效不错，剧情有点拖沓，总体还可以',
    author: 'a5',
    minutes: 27,
  },
  {
    incident: 'chatter',
    source: 'wechat-crawler',
    channel: 'wechat',
    externalId: 'wx-9006',
    content: '周末去山里露营，星空太美了，分享几张照片给大家',
    author: 'a6',
    minutes: 31,
  },
  {
    incident: 'chatter',
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId: 'wb-9007',
    content: '双十一囤的零食终于吃完了，下次还要买那家的坚果',
    author: 'a7',
    minutes: 36,
  },
  {
    incident: 'chatter',
    source: 'forum-crawler',
    channel: 'forum',
    externalId: 'tb-9008',
    content: '考研英语阅读怎么提分？每天刷两篇真题有用吗',
    author: 'a8',
    minutes: 41,
  },
];

/** Interleaved by time, as a crawler would deliver them. */
export function crawlerDelivery(): FixtureItem[] {
  return [...explosion, ...school, ...hospital, ...elderly, ...chatter].sort((a, b) => a.minutes - b.minutes);
}
