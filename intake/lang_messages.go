package intake

// messages is the catalog of the chrome of source-facing pages: every
// message in English and Simplified Chinese. Messages with fmt verbs are
// filled in by their users; a test checks that both languages of a message
// have the same verbs.
//
// The Chinese is written for frightened, careful readers: plain words, no
// legal jargon, nothing promised that the software does not do.
var messages = map[string]Text{
	// Languages and general chrome.
	"language_name": {EN: "English", ZH: "简体中文"},
	"language":      {EN: "Language", ZH: "语言"},
	"site_title":    {EN: "Report a violation safely", ZH: "安全地举报违规行为"},
	"back_to_start": {EN: "Back to the start page", ZH: "返回首页"},
	"continue":      {EN: "Continue", ZH: "继续"},
	"submit_tip":    {EN: "Submit a tip", ZH: "提交举报"},
	"check_replies": {EN: "Check for replies", ZH: "查看回复"},
	"not_onion_notice": {
		EN: "You are not using this site's onion address. For the best protection, use Tor Browser and the .onion address.",
		ZH: "您当前访问的不是本网站的洋葱（.onion）地址。为了最好地保护自己，请使用 Tor 浏览器访问 .onion 地址。",
	},
	"not_accepting": {
		EN: "This desk is not accepting tips yet.",
		ZH: "此举报通道暂不接收举报。",
	},

	// The start page.
	"index_heading": {EN: "Report a violation safely", ZH: "安全地举报违规行为"},
	"index_intro": {
		EN: "Tipline accepts tips and evidence about export-control violations, such as the smuggling of AI chips through shell companies, transshipment hubs and relabelled cargo.",
		ZH: "Tipline 接收有关违反出口管制行为的举报和证据，例如通过空壳公司、转运枢纽或更换标签的货物走私 AI 芯片。",
	},
	"index_safety": {
		EN: "You do not need to give your name. This site sets no cookies until you log in with your codename, loads nothing from other sites and works with JavaScript turned off. For the best protection, use Tor Browser.",
		ZH: "您无需透露姓名。在您用代号登录之前，本网站不设置 Cookie；它不从其他网站加载任何内容，关闭 JavaScript 也能正常使用。为了最好地保护自己，请使用 Tor 浏览器。",
	},
	"index_choose_desk": {EN: "Choose where to report", ZH: "请选择举报通道"},

	// The form.
	"submit":   {EN: "Send tip", ZH: "提交举报"},
	"required": {EN: "(required)", ZH: "（必填）"},
	"choose":   {EN: "— Choose —", ZH: "— 请选择 —"},
	"no_answer": {
		EN: "No answer",
		ZH: "不回答",
	},
	"show_if_hint": {
		EN: "(Answer this only if you chose %s.)",
		ZH: "（仅当您选择了%s时才需回答。）",
	},
	"show_if_quote": {EN: "“%s”", ZH: "“%s”"},
	"or":            {EN: " or ", ZH: "或"},
	"date_format":   {EN: "YYYY-MM-DD", ZH: "年-月-日，如 2024-03-15"},
	"party_row":     {EN: "Company or person %d", ZH: "公司或个人 %d"},
	"party_name":    {EN: "Name", ZH: "名称或姓名"},
	"party_role":    {EN: "Role", ZH: "角色"},
	"party_country": {EN: "Country or region", ZH: "国家或地区"},
	"party_identifiers": {
		EN: "Identifiers: registration numbers, addresses, websites, emails, phone numbers",
		ZH: "识别信息：注册号、地址、网站、电子邮箱、电话号码",
	},
	"errors_summary": {
		EN: "Some answers need your attention. Nothing has been saved yet.",
		ZH: "有些回答需要您修改。目前还没有保存任何内容。",
	},
	"files_again": {
		EN: "For your safety, files are not kept when the form comes back for corrections. Please choose your files again.",
		ZH: "为了您的安全，表单退回修改时不会保留您选择的文件。请重新选择文件。",
	},
	"encryption_explainer": {
		EN: "Everything you send is encrypted before it is stored: by your browser if JavaScript is on, otherwise by our server in memory as it arrives. Only the investigators of this desk can decrypt it.",
		ZH: "您提交的所有内容在存储前都会被加密：如果 JavaScript 已开启，由您的浏览器加密；否则由我们的服务器在接收时于内存中加密。只有此举报通道的调查人员能够解密。",
	},
	"js_off_notice": {
		EN: "JavaScript is off. You can still send your tip: our server will encrypt it and your files in memory as they arrive, before anything is stored.",
		ZH: "JavaScript 已关闭。您仍然可以提交举报：我们的服务器会在接收时于内存中对您的举报和文件进行加密，然后才存储。",
	},
	"js_on_notice": {
		EN: "Your browser will encrypt your tip and files before sending them.",
		ZH: "您的浏览器会在发送前对您的举报和文件进行加密。",
	},

	// Sending with JavaScript.
	"working": {
		EN: "Preparing to send. This can take a few seconds…",
		ZH: "正在准备发送，可能需要几秒钟……",
	},
	"encrypting": {EN: "Encrypting in your browser…", ZH: "正在您的浏览器中加密……"},
	"uploading":  {EN: "Uploading…", ZH: "正在上传……"},
	"upload_resuming": {
		EN: "The connection was interrupted. Resuming the upload…",
		ZH: "连接中断了。正在从中断处继续上传……",
	},
	"encryption_failed": {
		EN: "Your browser could not encrypt your tip, so nothing was sent. You can try again, or send the form without browser encryption: our server will then encrypt it in memory before storing it.",
		ZH: "您的浏览器未能加密您的举报，因此没有发送任何内容。您可以重试，或者不经浏览器加密直接提交表单：届时将由我们的服务器在内存中加密后再保存。",
	},
	"send_without_browser_encryption": {
		EN: "Send without browser encryption (our server encrypts it)",
		ZH: "不经浏览器加密发送（由我们的服务器加密）",
	},

	// After sending.
	"codename_title": {EN: "Your tip has been received", ZH: "我们已收到您的举报"},
	"codename_received": {
		EN: "Received on (UTC date):",
		ZH: "接收日期（UTC）：",
	},
	"encrypted_by_browser": {
		EN: "Your browser encrypted your tip and files before sending them. Our server never received them unencrypted.",
		ZH: "您的浏览器在发送前已对您的举报和文件进行了加密。我们的服务器从未收到未加密的内容。",
	},
	"encrypted_by_server": {
		EN: "Our server encrypted your tip and files in memory as they arrived, before storing anything. They were never stored unencrypted.",
		ZH: "我们的服务器在接收时于内存中对您的举报和文件进行了加密，然后才存储。未加密的内容从未被存储。",
	},
	"codename_heading": {EN: "Your codename", ZH: "您的代号"},
	"codename_explainer": {
		EN: "This is the only time we show your codename. It is the only way back to your tip: with it you can read replies from investigators, answer their questions and add evidence, and we cannot recover it. Write it down on paper or memorize it. Do not keep it on a work or shared device, and do not show it to anyone: whoever has it can read the replies to your tip.",
		ZH: "您的代号只会在这里显示这一次。代号是您再次找到这份举报的唯一方式：凭代号，您可以阅读调查人员的回复、回答他们的问题并补充证据；我们无法为您找回代号。请把它抄在纸上或记在心里。不要把它保存在工作设备或与他人共用的设备上，也不要给任何人看：任何人拿到代号都能阅读对您举报的回复。",
	},
	"save_codename": {EN: "Save your codename now", ZH: "请现在保存您的代号"},
	"i_saved":       {EN: "I have saved my codename", ZH: "我已保存我的代号"},
	"codename_confirm": {
		EN: "Please confirm that you have saved your codename.",
		ZH: "请确认您已保存代号。",
	},
	"receipt_download": {EN: "Download signed receipt", ZH: "下载已签名的回执"},
	"receipt_explainer": {
		EN: "The receipt proves when your tip was received, which can matter for award programs. It does not contain your codename or what you wrote, but it does show that you sent a tip: keep it private.",
		ZH: "回执可以证明我们收到您举报的时间，这对举报奖励计划可能很重要。回执中不含您的代号，也不含您填写的内容，但它能表明您提交过举报：请妥善保管，不要给他人看到。",
	},

	"saved_title": {EN: "Thank you", ZH: "谢谢您"},
	"saved_body": {
		EN: "Your tip is stored encrypted, and investigators will read it. Come back later with your codename to check for replies. When you are done, close this window.",
		ZH: "您的举报已加密存储，调查人员会阅读。请稍后凭代号回来查看回复。完成后，请关闭此窗口。",
	},

	// Coming back with a codename.
	"codename_login": {EN: "Log in with your codename", ZH: "使用代号登录"},
	"codename_label": {EN: "Codename", ZH: "代号"},
	"codename_help": {
		EN: "Type the words of your codename, separated by spaces.",
		ZH: "请输入代号中的各个英文单词，单词之间用空格分隔。",
	},
	"login": {EN: "Log in", ZH: "登录"},
	"login_cookie_notice": {
		EN: "Logging in sets one cookie, for this visit only. Log out when you are done.",
		ZH: "登录后本网站会设置一个 Cookie，仅用于本次访问。使用完毕后请退出登录。",
	},
	"logout":        {EN: "Log out", ZH: "退出登录"},
	"mailbox_title": {EN: "Messages about your tip", ZH: "关于您举报的消息"},
	"no_replies": {
		EN: "No replies yet. Please check again later.",
		ZH: "暂时还没有回复。请稍后再来查看。",
	},
	"from_investigator": {EN: "Investigator", ZH: "调查人员"},
	"from_you":          {EN: "You", ZH: "您"},
	"your_message":      {EN: "Your message", ZH: "您的留言"},
	"send_message":      {EN: "Send message", ZH: "发送留言"},
	"add_evidence":      {EN: "Add evidence", ZH: "补充证据"},
	"message_sent": {
		EN: "Your message was encrypted and sent.",
		ZH: "您的留言已加密并发送。",
	},

	// The source's mailbox (two-way messages).
	"mailbox_login_intro": {
		EN: "Enter your codename to see where your tip stands, read replies from investigators and send them a message.",
		ZH: "输入您的代号，即可查看举报的处理进展、阅读调查人员的回复并给他们留言。",
	},
	"mailbox_cookie_notice": {
		EN: "Logging in sets one cookie, for this mailbox only, which ends after an hour. Close the window when you are done.",
		ZH: "登录后本网站会设置一个 Cookie，仅用于此信箱，一小时后失效。使用完毕后请关闭窗口。",
	},
	"mailbox_wrong_codename": {
		EN: "We do not recognize this codename. Check each word and try again.",
		ZH: "我们无法识别此代号。请逐个检查单词后再试。",
	},
	"mailbox_busy": {
		EN: "Too many people are logging in at this moment, so your codename could not be checked yet. Please try again in a few minutes.",
		ZH: "此刻登录的人太多，暂时无法核对您的代号。请几分钟后再试。",
	},
	"mailbox_session_expired": {
		EN: "Your session has ended. Please enter your codename again.",
		ZH: "您的登录已失效。请重新输入代号。",
	},
	"mailbox_codename_in_message": {
		EN: "Your message seems to contain a codename. Never write your codename in a message: remove it and send again.",
		ZH: "您的留言中似乎包含代号。请不要在留言中写出代号：请删除后重新发送。",
	},
	"mailbox_message_empty": {EN: "Please write a message first.", ZH: "请先填写留言。"},
	"mailbox_message_too_long": {
		EN: "This message is too long. Please shorten it or send it in several parts.",
		ZH: "留言太长。请缩短，或分几次发送。",
	},
	"mailbox_status_heading": {EN: "Where your tip stands", ZH: "您举报的处理进展"},
	"mailbox_status_new": {
		EN: "We have your tip. It is waiting to be read by an investigator.",
		ZH: "我们已收到您的举报，正在等待调查人员阅读。",
	},
	"mailbox_status_acknowledged": {
		EN: "An investigator has seen your tip and will review it.",
		ZH: "调查人员已看到您的举报，将进行审查。",
	},
	"mailbox_status_under_review": {
		EN: "We are reviewing your tip.",
		ZH: "我们正在审查您的举报。",
	},
	"mailbox_status_needs_information": {
		EN: "We need more information from you. Please read the replies below and answer if you can.",
		ZH: "我们需要您提供更多信息。请阅读下方的回复，并尽可能作答。",
	},
	"mailbox_status_case_opened": {
		EN: "Your tip is part of an investigation.",
		ZH: "您的举报已纳入调查。",
	},
	"mailbox_status_referred": {
		EN: "Your tip was passed on to the authority responsible for it.",
		ZH: "您的举报已转交负责的机构处理。",
	},
	"mailbox_status_closed": {
		EN: "We have finished working on your tip. Thank you for sending it.",
		ZH: "我们对您举报的处理已经结束。感谢您的举报。",
	},
	"mailbox_replies_heading": {EN: "Replies from investigators", ZH: "调查人员的回复"},
	"mailbox_enter_again": {
		EN: "To read replies, enter your codename again: we do not keep the key that opens them.",
		ZH: "如需阅读回复，请重新输入代号：我们不保存打开回复所需的密钥。",
	},
	"mailbox_no_reply_key": {
		EN: "This tip was sent before replies were possible, so investigators cannot answer it here.",
		ZH: "此举报提交时尚不支持回复，因此调查人员无法在此回复。",
	},
	"mailbox_files_label": {EN: "Add files (optional)", ZH: "添加文件（可选）"},
	"mailbox_files_hint": {
		EN: "Files are encrypted to the investigators' keys, with their names: in your browser before they leave it when JavaScript is on, otherwise by the server as they arrive. Photos and documents can carry hidden details such as the author, the device or the place; remove them first if you can.",
		ZH: "文件及其文件名会用调查人员的密钥加密：启用 JavaScript 时在离开您的浏览器之前加密，否则由服务器在收到时加密。照片和文档可能带有作者、设备或地点等隐藏信息；如有可能，请先删除这些信息。",
	},
	"mailbox_message_hint": {
		EN: "Your message is encrypted to the investigators' keys before it is stored. Do not write your codename in it.",
		ZH: "您的留言在存储前会用调查人员的密钥加密。请不要在留言中写出代号。",
	},

	// Errors on pages.
	"error_title": {EN: "Something went wrong", ZH: "出现了问题"},
	"error_generic": {
		EN: "Something went wrong on our side, and what you sent was not saved. Please try again later.",
		ZH: "我们这边出现了问题，您提交的内容没有保存。请稍后重试。",
	},
	"error_not_found": {
		EN: "There is no page at this address.",
		ZH: "此地址没有对应的页面。",
	},
	"error_too_large_title": {EN: "Too large", ZH: "内容过大"},
	"error_too_large": {
		EN: "What you sent is larger than this site accepts, so nothing was saved. Please send fewer or smaller files; once you have a codename, you can add more files later.",
		ZH: "您提交的内容超出了本网站接受的上限，因此没有保存任何内容。请减少文件数量或缩小文件；拿到代号后，您可以再补充更多文件。",
	},
	"error_not_multipart": {
		EN: "The form did not arrive as expected. Please go back and send it again.",
		ZH: "表单未能按预期送达。请返回后重新提交。",
	},
	"error_upload_too_slow": {
		EN: "The upload was too slow, so it was stopped and nothing was saved. Your connection may have stalled. Please send the form again; if it keeps happening, try a new Tor circuit or smaller files.",
		ZH: "上传速度过慢，已被中止，没有保存任何内容。您的网络连接可能停滞了。请重新提交表单；如果一再发生，请尝试更换 Tor 线路或缩小文件。",
	},
	"error_too_many_files": {
		// 100 is MaxSubmissionFiles (a test checks).
		EN: "A tip can have at most 100 files, so nothing was saved. Please send at most 100 files now (or put several into one archive); once you have a codename, you can add more files later.",
		ZH: "每条举报最多只能附带 100 个文件，因此没有保存任何内容。请这次最多提交 100 个文件（或把多个文件打包成一个压缩包）；拿到代号后，您可以再补充更多文件。",
	},
	"error_too_many_parts": {
		EN: "The form arrived with more entries than it has, so nothing was saved. Please go back and send it again.",
		ZH: "送达的表单所含条目比表单本身还多，因此没有保存任何内容。请返回后重新提交。",
	},
	"error_upload_broken": {
		EN: "The upload was interrupted before it finished, so nothing was saved. Please send the form again.",
		ZH: "上传在完成前中断了，因此没有保存任何内容。请重新提交表单。",
	},
	"error_unavailable": {
		EN: "We cannot take tips right now, and nothing you sent was saved. Please try again later.",
		ZH: "我们现在无法接收举报，您提交的内容没有保存。请稍后再试。",
	},
	"error_storage_full": {
		EN: "Tipline's storage is full for now, so nothing you sent was saved. Please try again in a few hours.",
		ZH: "Tipline 的存储空间暂时已满，因此您提交的内容没有保存。请几个小时后再试。",
	},
	"error_rate_limited": {
		EN: "Many tips are being sent right now. Please wait a few minutes and try again.",
		ZH: "目前提交的举报较多。请等几分钟后再试。",
	},
	"error_codename": {
		EN: "That codename did not work. Check the words and try again.",
		ZH: "此代号无效。请检查单词后重试。",
	},

	// Errors in answers (see Questionnaire.Check).
	"error_required": {EN: "Please answer this question.", ZH: "请回答此问题。"},
	"error_choice": {
		EN: "Please choose from the options listed.",
		ZH: "请从列出的选项中选择。",
	},
	"error_one_choice": {EN: "Please choose only one option.", ZH: "请只选择一个选项。"},
	"error_date": {
		EN: "Please enter a date as YYYY-MM-DD, for example 2024-03-15.",
		ZH: "请按“年-月-日”格式填写日期，例如 2024-03-15。",
	},
	"error_date_range": {
		EN: "This date does not look right. Please check the year.",
		ZH: "这个日期似乎不对，请检查年份。",
	},
	"error_number": {
		EN: "Please enter a number only, for example 1500 or 2.5. An estimate is fine.",
		ZH: "请只填写数字，例如 1500 或 2.5。估计数字即可。",
	},
	"error_country": {
		EN: "Please choose a country or region from the list.",
		ZH: "请从列表中选择国家或地区。",
	},
	"error_too_long": {
		EN: "This answer is too long: it can have at most %d characters.",
		ZH: "此回答太长：最多只能有 %d 个字符。",
	},
	"error_party_role": {
		EN: "Row %d: please choose a role from the list.",
		ZH: "第 %d 行：请从列表中选择角色。",
	},
	"error_party_too_long": {
		EN: "Row %d: an entry is too long.",
		ZH: "第 %d 行：有一项内容太长。",
	},
}
