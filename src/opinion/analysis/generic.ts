/**
 * Words every kind of post uses — hotline boilerplate (市民来电反映…请相关部门尽快处理), calls for
 * attention, reporting verbs, chatter. They say nothing about WHICH story a post tells, so they
 * weigh little in the clustering vector: otherwise two tickets about different matters in one
 * township would merge on their shared frame.
 */
export const GENERIC_TERMS: ReadonlySet<string> = new Set(
  `反映 来电 来电人 市民 网友 留言 诉求 相关 相关部门 有关部门 部门 处理 答复 回复 给予 核实 督促 工单 热线 12345
  领导 关注 投诉 举报 居民 群众 村民 老百姓 百姓 要求 说法 希望 尽快 赶紧 解决 问题 情况 政府 工作人员
  多次 无果 请求 求助 扩散 转发 求转发 周知 大家 现在 今天 昨天 昨晚 刚才 已经 还是 真的 知道 听说 视频
  网传 消息 通报 官方 回应 记者 获悉 据悉 了解 目前 事件 事情 一下 一直 没有 不是 可以 这个 那个 我们
  你们 他们 自己 社会 热搜 评论 点赞 加油 谢谢 感谢 支持 注意 看看 有人 有没有 怎么 怎么办 为什么 到底
  什么 时候 什么时候 哪里 在哪里 管管 管不管 请问 咨询 建议 表示 发现 发生 出现 造成 导致 进行 开展
  关于 通知 工作 方面 问题 有关 地方 附近 周边 这边 那边 我家 家里 一个 两个 几个 很多 好多 特别 非常
  太 实在 真是 简直 根本 完全 一定 应该 需要 必须 不能 不会 还有 而且 但是 可是 然后 结果 因为 所以`.split(
    /\s+/,
  ),
);

/** Weight factor of generic words and of place names inside the clustering vector. */
export const GENERIC_FACTOR = 0.15;
export const PLACE_FACTOR = 0.35;
