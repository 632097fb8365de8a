// Every visible string lives here. zh-CN is the default; English second.

const zhCN = {
  launcher_open: '打开在线客服',
  launcher_close: '关闭在线客服',
  unread_count: '{count} 条未读消息',
  panel_label: '在线客服',
  close: '关闭',
  status_online: '在线 · 通常几分钟内回复',
  status_connecting: '正在连接…',
  status_offline: '连接已断开，正在重新连接…',
  loading: '加载中…',
  error_channel_not_found: '该客服渠道不存在或已停用。',
  error_network: '无法连接到客服系统，请检查网络。',
  error_generic: '出了点问题，请稍后再试。',
  retry: '重试',
  composer_placeholder: '输入消息…',
  composer_label: '消息内容',
  send: '发送',
  attach_image: '发送图片',
  sending: '发送中…',
  uploading: '上传中…',
  send_failed: '发送失败',
  tap_to_retry: '点击重试',
  discard: '删除',
  read: '已读',
  typing: '{name} 正在输入…',
  typing_someone: '对方正在输入…',
  today: '今天',
  yesterday: '昨天',
  bot: '机器人',
  you: '我',
  agent: '客服',
  image_too_large: '图片不能超过 10 MB。',
  image_only: '只能发送图片文件。',
  upload_failed: '上传失败，请重试。',
  text_too_long: '消息不能超过 {max} 个字符。',
  rate_limited: '您发送得有点快，请稍等片刻再发。',
  message_rejected: '这条消息未能发送。',
  form_title: '开始对话前，请留下您的信息',
  form_submit: '开始对话',
  form_required: '此项为必填项',
  form_invalid_email: '请输入有效的邮箱地址',
  form_invalid_phone: '请输入有效的电话号码',
  form_select_placeholder: '请选择',
  form_optional: '（选填）',
  csat_title: '本次服务已结束，请为我们打分',
  csat_star: '{score} 星',
  csat_comment: '还有什么想告诉我们的？（选填）',
  csat_submit: '提交评价',
  csat_thanks: '感谢您的评价！',
  csat_failed: '评价提交失败，请重试。',
  new_message_hint: '有新消息',
  queue_next: '马上轮到您了，请稍候',
  queue_ahead: '您前面还有 {count} 位',
  queue_ahead_one: '您前面还有 {count} 位',
  queue_wait: '，预计等待约 {minutes} 分钟',
  open_image: '查看原图',
  file_size_kb: '{size} KB',
  file_size_mb: '{size} MB',
  powered_by: '迎客提供技术支持',
  h5_title: '{name} · 在线客服',
  notices_title: '消息',
  notices_open_unread: '消息（{count} 条未读）',
  notices_back: '返回对话',
  notices_back_unread: '返回对话（{count} 条未读）',
  notices_empty: '暂无消息',
  notices_empty_hint: '工单有进展时，我们会在这里通知您。',
  notices_error: '消息加载失败。',
  notices_new: '新',
  notices_view_ticket: '查看工单',
};

export type MessageKey = keyof typeof zhCN;

const en: Record<MessageKey, string> = {
  launcher_open: 'Open chat',
  launcher_close: 'Close chat',
  unread_count: '{count} unread messages',
  panel_label: 'Chat',
  close: 'Close',
  status_online: 'Online · We usually reply in a few minutes',
  status_connecting: 'Connecting…',
  status_offline: 'Connection lost, reconnecting…',
  loading: 'Loading…',
  error_channel_not_found: 'This chat channel does not exist or is disabled.',
  error_network: 'Cannot reach the support service. Please check your network.',
  error_generic: 'Something went wrong. Please try again later.',
  retry: 'Retry',
  composer_placeholder: 'Type a message…',
  composer_label: 'Message',
  send: 'Send',
  attach_image: 'Send an image',
  sending: 'Sending…',
  uploading: 'Uploading…',
  send_failed: 'Not sent',
  tap_to_retry: 'Tap to retry',
  discard: 'Delete',
  read: 'Read',
  typing: '{name} is typing…',
  typing_someone: 'Typing…',
  today: 'Today',
  yesterday: 'Yesterday',
  bot: 'Bot',
  you: 'You',
  agent: 'Support',
  image_too_large: 'Images must be 10 MB or smaller.',
  image_only: 'Only image files can be sent.',
  upload_failed: 'Upload failed. Please try again.',
  text_too_long: 'Messages can be at most {max} characters.',
  rate_limited: 'You are sending messages a little fast. Please wait a moment.',
  message_rejected: 'This message could not be sent.',
  form_title: 'Before we start, please tell us about you',
  form_submit: 'Start chat',
  form_required: 'This field is required',
  form_invalid_email: 'Please enter a valid email address',
  form_invalid_phone: 'Please enter a valid phone number',
  form_select_placeholder: 'Please choose',
  form_optional: '(optional)',
  csat_title: 'This conversation has ended. How did we do?',
  csat_star: '{score} stars',
  csat_comment: 'Anything else you would like to tell us? (optional)',
  csat_submit: 'Send rating',
  csat_thanks: 'Thank you for your feedback!',
  csat_failed: 'Could not send your rating. Please try again.',
  new_message_hint: 'New messages',
  queue_next: "You're next — an agent will be with you shortly",
  queue_ahead: '{count} people ahead of you',
  queue_ahead_one: '{count} person ahead of you',
  queue_wait: ', about {minutes} min',
  open_image: 'Open image',
  file_size_kb: '{size} KB',
  file_size_mb: '{size} MB',
  powered_by: 'Powered by Yingke',
  h5_title: '{name} · Chat',
  notices_title: 'Messages',
  notices_open_unread: 'Messages ({count} unread)',
  notices_back: 'Back to chat',
  notices_back_unread: 'Back to chat ({count} unread)',
  notices_empty: 'No messages yet',
  notices_empty_hint: 'We will let you know here when your tickets move on.',
  notices_error: 'Could not load your messages.',
  notices_new: 'New',
  notices_view_ticket: 'View ticket',
};

export const messages = { 'zh-CN': zhCN as Record<MessageKey, string>, en } as const;

export type Locale = keyof typeof messages;

/** Maps a language tag to a supported locale, or null when unsupported. */
export function matchLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const lower = tag.trim().toLowerCase();
  if (lower.startsWith('zh')) return 'zh-CN';
  if (lower.startsWith('en')) return 'en';
  return null;
}

/**
 * Picks the UI locale: an explicit choice (data-locale) first, then the browser language,
 * then the channel's locale, then zh-CN.
 */
export function resolveLocale(
  explicit: string | null | undefined,
  browser: string | null | undefined,
  channel?: string | null,
): Locale {
  return matchLocale(explicit) ?? matchLocale(browser) ?? matchLocale(channel) ?? 'zh-CN';
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const table = messages[locale];
  return (key, vars) => {
    const template = table[key] ?? messages['zh-CN'][key] ?? key;
    if (!vars) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in vars ? String(vars[name]) : whole,
    );
  };
}
