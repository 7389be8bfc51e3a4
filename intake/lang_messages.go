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
	"index_before_tor": {
		EN: "Use Tor Browser, at its “Safest” security level if you can. Where Tor is blocked, as in mainland China, connect through a bridge such as Snowflake.",
		ZH: "请使用 Tor 浏览器，如有可能，把安全级别设为“最安全”。在 Tor 被封锁的地方（例如中国大陆），请通过网桥连接，例如 Snowflake。",
	},
	"index_before_work": {
		EN: "Never use a work computer, a work phone or a work network.",
		ZH: "切勿使用单位的电脑、手机或网络。",
	},
	"index_before_files": {
		EN: "Photos and documents can hold hidden details about you, such as where a photo was taken or who wrote a document.",
		ZH: "照片和文档中可能含有关于您的隐藏信息，例如照片的拍摄地点或文档的作者。",
	},
	"index_before_codename": {
		EN: "After you send your tip you get a codename, shown only once. Write it down: nobody can recover it for you.",
		ZH: "提交举报后，您会得到一个代号，只显示一次。请把它抄下来：没有人能帮您找回。",
	},
	"index_before_link": {EN: "Read how to report safely (about 5 minutes)", ZH: "阅读如何安全地举报（约 5 分钟）"},
	"onion_address":     {EN: "This site's onion address, for Tor Browser:", ZH: "本网站的洋葱（.onion）地址，请用 Tor 浏览器打开："},

	// The safety page.
	"safety_title": {EN: "How to report safely", ZH: "如何安全地举报"},
	"safety_intro": {
		EN: "Take a few minutes to read this before you report. None of it is required, but each step makes it harder for anyone to learn that you reported. If something here is not possible for you, you can still send a tip.",
		ZH: "举报之前，请花几分钟读一读以下内容。这些都不是必须的，但每做到一步，别人就更难知道是您举报的。如果有些做不到，您仍然可以提交举报。",
	},
	"safety_tor_heading": {EN: "Use Tor Browser", ZH: "使用 Tor 浏览器"},
	"safety_tor": {
		EN: "Tor Browser hides where you connect from: neither this site nor your internet provider can see both who you are and that you visit this site. Download it only from the Tor Project's own site, torproject.org. It forgets what you did when you close it.",
		ZH: "Tor 浏览器会隐藏您从哪里连接：无论是本网站还是您的网络服务商，都无法同时知道您是谁以及您访问了本网站。请只从 Tor 项目的官方网站 torproject.org 下载。关闭浏览器后，它不会留下您的浏览记录。",
	},
	"safety_safest": {
		EN: "In Tor Browser, open Settings, then Privacy & Security, and set the Security Level to “Safest”. This turns JavaScript off. This site works fully at “Safest”: your tip is then encrypted by our server in memory as it arrives, before anything is stored. With JavaScript on, your browser encrypts it before sending.",
		ZH: "在 Tor 浏览器中打开“设置”，进入“隐私与安全”，把“安全级别”设为“最安全”。这会关闭 JavaScript。在“最安全”级别下，本网站的所有功能都能正常使用：您的举报会在到达时由我们的服务器在内存中加密，然后才存储。如果开启 JavaScript，则由您的浏览器在发送前加密。",
	},
	"safety_blocked_heading": {EN: "Where Tor is blocked", ZH: "如果 Tor 被封锁"},
	"safety_blocked": {
		EN: "In some places, including mainland China, ordinary connections to Tor are blocked. Tor Browser can still connect through a bridge. When it starts, choose “Configure Connection”, then under Bridges choose a built-in bridge. In mainland China, try Snowflake first; it can be slow, so give it several minutes. If no built-in bridge works, you can ask the Tor Project for a private bridge: send a message to the Telegram account @GetBridgesBot, or an email to bridges@torproject.org from a Gmail or Riseup address.",
		ZH: "在一些地方，包括中国大陆，直接连接 Tor 会被封锁。这时 Tor 浏览器仍然可以通过“网桥”连接。启动时选择“配置连接”，然后在“网桥”中选择一个内置网桥。在中国大陆，请先试试 Snowflake；它可能比较慢，请耐心等几分钟。如果内置网桥都连不上，可以向 Tor 项目索取私有网桥：在 Telegram 上给 @GetBridgesBot 发消息，或者用 Gmail 或 Riseup 邮箱发邮件到 bridges@torproject.org。",
	},
	"safety_blocked_risk": {
		EN: "Where Tor is blocked, using it, or a VPN, can itself draw attention. Think about whether that is a risk for you.",
		ZH: "在 Tor 被封锁的地方，使用 Tor 或 VPN 本身就可能引起注意。请考虑这对您是否构成风险。",
	},
	"safety_work_heading": {EN: "Never a work device or network", ZH: "切勿使用工作设备或工作网络"},
	"safety_work": {
		EN: "Do not use a computer or phone that your employer gave you or manages, and do not use your work's Wi-Fi, network or VPN: employers can record and inspect what passes through them. Use your own device, on a network that is not linked to your job. Do not report where colleagues or cameras can see your screen.",
		ZH: "不要使用单位配发或由单位管理的电脑和手机，也不要使用单位的 Wi-Fi、网络或 VPN：单位可以记录和查看经过它们的内容。请使用您自己的设备，并连接与工作无关的网络。举报时，不要让同事或摄像头看到您的屏幕。",
	},
	"safety_files_heading": {EN: "Hidden details in photos and documents", ZH: "照片和文档中的隐藏信息"},
	"safety_files": {
		EN: "Files often carry details you cannot see: where and when a photo was taken, the phone or camera model and its serial number, the author's name, the company, comments and earlier versions. Remove them before you attach a file if you can. For a photo, sending a screenshot of it instead is a simple way. For a document, remove the author and other properties (in Word: File, Info, Check for Issues, Inspect Document), then save it as a PDF.",
		ZH: "文件里常常带有您看不到的信息：照片的拍摄地点和时间、手机或相机的型号及序列号、作者姓名、公司名称、批注和旧版本。如有可能，请在附上文件之前删除这些信息。对于照片，一个简单的办法是发送照片的截图。对于文档，请先删除作者等属性信息（在 Word 中：“文件”→“信息”→“检查问题”→“检查文档”），再另存为 PDF。",
	},
	"safety_files_content": {
		EN: "The content can point to you too: a document that only a few people received, a watermark, a file name, or a detail that only you would know.",
		ZH: "文件内容本身也可能暴露您：例如只有少数人收到过的文件、水印、文件名，或只有您才知道的细节。",
	},
	"safety_receipt_heading": {EN: "What the receipt proves, and what it reveals", ZH: "回执能证明什么，又会暴露什么"},
	"safety_receipt": {
		EN: "After you send your tip you can download a receipt signed by this site. It proves that a tip with these encrypted files was received on that day (the date only, not the time), and where it stands in this site's log, which cannot be changed afterwards. That can matter later, for example to show when you reported if you claim an award. It does not hold your answers, your files or your codename.",
		ZH: "提交举报后，您可以下载一份由本网站签名的回执。它能证明：某一天（只有日期，没有具体时间）本网站收到了一条附有这些加密文件的举报，以及这条举报在本网站日志中的位置，而这份日志事后无法修改。这在以后可能很重要，例如在申领奖励时证明您是什么时候举报的。回执中不包含您的回答、您的文件或您的代号。",
	},
	"safety_receipt_reveals": {
		EN: "But anyone who finds the receipt on your device learns that you sent a tip to this site on that day. Keep it somewhere private and safe, or do not download it.",
		ZH: "但是，任何人如果在您的设备上发现这份回执，就会知道您在那一天向本网站提交过举报。请把它保存在私密、安全的地方，或者干脆不要下载。",
	},
	"safety_codename_heading": {EN: "Keep your codename", ZH: "保管好您的代号"},
	"safety_codename": {
		EN: "When your tip is received you get a codename. It is shown only once, and it is the only way to read replies and to add information later. Nobody can recover it for you: this site does not know it. Write it on paper and keep the paper somewhere safe, or keep it in a password manager you trust.",
		ZH: "举报被接收后，您会得到一个代号。它只显示一次，也是您以后查看回复、补充信息的唯一方式。没有人能帮您找回：本网站并不知道您的代号。请把它写在纸上并妥善保管，或者保存在您信任的密码管理器中。",
	},
	"safety_codename_dont": {
		EN: "Do not save it in a file on a shared or work device, do not email it, and do not send it to yourself in a chat app. Anyone who has your codename can read the replies to your tip.",
		ZH: "不要把它保存在共用设备或工作设备上的文件里，不要通过电子邮件发送，也不要用聊天软件发给自己。任何人拿到您的代号，都能看到给您的回复。",
	},
	"safety_start": {EN: "I have read this: choose where to report", ZH: "我已阅读：选择举报通道"},

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
	"date_format":   {EN: "e.g. 2024-03-15, March 2024 or 2024", ZH: "例如 2024年3月15日、2024年3月或 2024年"},
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
	"files_kept": {
		EN: "We have received these files and keep them encrypted. You do not need to choose them again: they will be sent with your corrected answers.",
		ZH: "我们已经收到以下文件，并以加密方式保存。您无需重新选择：它们会和您修改后的回答一起提交。",
	},
	"files_kept_more": {
		EN: "You can add more files below if you like.",
		ZH: "如有需要，您还可以在下面添加更多文件。",
	},
	"error_kept_files_lost": {
		EN: "Some files you sent earlier are no longer kept. Please choose them again.",
		ZH: "您之前发送的部分文件已不再保存。请重新选择这些文件。",
	},
	"party_add":        {EN: "Add another company or person", ZH: "再添加一家公司或一个人"},
	"section_optional": {EN: "optional", ZH: "选填"},
	"before_you_start": {EN: "Before you start", ZH: "开始之前"},
	"desk_safety_link": {
		EN: "Before you start, read how to report safely: Tor Browser, work devices, hidden details in files, and your codename.",
		ZH: "开始之前，请先阅读如何安全地举报：Tor 浏览器、工作设备、文件中的隐藏信息，以及您的代号。",
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

	// Hidden information in files: the advice beside the file field, and
	// what static/js/metadata.js says it found.
	"metadata_advice_summary": {
		EN: "Photos and documents can carry hidden information that identifies you. How to remove it",
		ZH: "照片和文档可能带有能暴露您身份的隐藏信息。如何删除",
	},
	"metadata_advice": {
		EN: "For example where and when a photo was taken, the phone or camera and its serial number, the author's name. With JavaScript on, this page shows what it finds in JPEG, PNG and WebP photos and removes it before encryption. Otherwise, remove it before attaching: instead of the photo, attach a screenshot of it; on an iPhone, tap Share, then Options, and turn Location off; in Word, Excel or PowerPoint, use File › Info › Check for Issues › Inspect Document; for a PDF, print it to a new PDF.",
		ZH: "例如照片的拍摄地点和时间、手机或相机的型号和序列号、作者姓名等。如果 JavaScript 已开启，本页面会显示它在 JPEG、PNG 和 WebP 照片中找到的这类信息，并在加密前将其删除。否则，请在添加文件前自行删除：可以不附原照片，改为附上照片的截屏；在 iPhone 上，点“共享”，再点“选项”，关闭“位置”；在 Word、Excel 或 PowerPoint 中，使用“文件 › 信息 › 检查问题 › 检查文档”；PDF 文件可以用“打印为 PDF”另存一份新的。",
	},
	"metadata_heading": {EN: "Hidden information in your files", ZH: "您文件中的隐藏信息"},
	"metadata_found": {
		EN: "%s contains hidden information that could point to you or your device:",
		ZH: "文件“%s”包含可能指向您或您设备的隐藏信息：",
	},
	"metadata_found_document": {
		EN: "%s contains these document properties, which can name you or your organization:",
		ZH: "文件“%s”包含以下文档属性，可能透露您或您单位的名称：",
	},
	"metadata_will_remove": {
		EN: "This information will be removed before encryption. The picture itself is not changed.",
		ZH: "加密前会删除这些信息，图片本身不会改变。",
	},
	"metadata_keep": {
		EN: "Keep this information in the file (only if it matters as evidence, for example to show where the photo was taken)",
		ZH: "在文件中保留这些信息（仅当它本身就是证据时，例如需要证明照片的拍摄地点）",
	},
	"metadata_none": {
		EN: "No hidden information found in: %s.",
		ZH: "以下文件中未发现隐藏信息：%s。",
	},
	"metadata_not_checked": {
		EN: "Not checked: %s. This page checks only photos (JPEG, PNG, WebP, HEIC), PDF and Office files. Videos, audio and other files can also carry hidden information, such as the place of recording.",
		ZH: "未检查：%s。本页面只检查照片（JPEG、PNG、WebP、HEIC）、PDF 和 Office 文件。视频、音频和其他文件也可能带有隐藏信息，例如录制地点。",
	},
	"metadata_unreadable": {
		EN: "%s could not be read to look for hidden information. It will be sent as it is.",
		ZH: "无法读取文件“%s”来查找隐藏信息。它将按原样发送。",
	},
	"metadata_heic_advice": {
		EN: "This page cannot remove hidden information from HEIC photos, so such a photo is sent as it is. To remove it, take the photo out and attach a screenshot of the photo instead, or on an iPhone share the photo with Location turned off in Options. To make new photos JPEG, choose Settings › Camera › Formats › Most Compatible.",
		ZH: "本页面无法删除 HEIC 照片中的隐藏信息，因此这类照片将按原样发送。如需删除，请移除该照片，改为附上照片的截屏；或者在 iPhone 上共享照片时，在“选项”中关闭“位置”。如果希望以后拍摄的照片为 JPEG 格式，请选择“设置 › 相机 › 格式 › 兼容性最佳”。",
	},
	"metadata_document_advice": {
		EN: "This page cannot remove document properties, so documents are sent as they are. To remove them, take the document out and attach a cleaned copy: in Word, Excel or PowerPoint, use File › Info › Check for Issues › Inspect Document and remove “Document Properties and Personal Information”; in LibreOffice, clear the fields under File › Properties; for a PDF, print it to a new PDF. Check the content too: comments, tracked changes, headers and footers can carry names.",
		ZH: "本页面无法删除文档属性，因此文档将按原样发送。如需删除，请移除该文档，改为附上清理过的副本：在 Word、Excel 或 PowerPoint 中，使用“文件 › 信息 › 检查问题 › 检查文档”，删除“文档属性和个人信息”；在 LibreOffice 中，清空“文件 › 属性”中的各项；PDF 文件可以用“打印为 PDF”另存一份新的。也请检查文档内容：批注、修订记录、页眉和页脚中都可能有姓名。",
	},
	"metadata_gps":        {EN: "Location (GPS)", ZH: "位置（GPS 定位）"},
	"metadata_camera":     {EN: "Camera or phone", ZH: "相机或手机"},
	"metadata_serial":     {EN: "Serial or unique number", ZH: "序列号或唯一编号"},
	"metadata_maker_note": {EN: "Camera maker's private data (can hold serial numbers)", ZH: "相机厂商的私有数据（可能含有序列号）"},
	"metadata_owner":      {EN: "Name of a person", ZH: "人名"},
	"metadata_company":    {EN: "Company or organization", ZH: "公司或单位"},
	"metadata_software":   {EN: "Software or computer", ZH: "软件或计算机"},
	"metadata_date":       {EN: "Date and time", ZH: "日期和时间"},
	"metadata_comment":    {EN: "Title, description or comment", ZH: "标题、描述或备注"},
	"metadata_exif":       {EN: "Camera details (EXIF)", ZH: "相机信息（EXIF）"},
	"metadata_xmp":        {EN: "Editing details (XMP), which can hold names, places and editing history", ZH: "编辑信息（XMP），可能含有姓名、地点和编辑记录"},
	"metadata_iptc":       {EN: "Captions, names and places (IPTC)", ZH: "说明文字、人名和地点（IPTC）"},
	"metadata_other":      {EN: "Other data added by the camera or an app", ZH: "相机或应用添加的其他数据"},

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

	// The codename page and the choice of its form (server/codename.go).
	"codename_kind_legend": {EN: "Your codename", ZH: "您的代号"},
	"codename_kind_hint": {
		EN: "After sending, you get a codename: the only way to read replies and add evidence later. Choose the form you can copy most reliably.",
		ZH: "提交后，您会得到一个代号：这是今后阅读回复、补充证据的唯一方式。请选择您最不容易抄错的形式。",
	},
	"codename_kind_words":  {EN: "Seven English words", ZH: "七个英文单词"},
	"codename_kind_digits": {EN: "Seven groups of four digits", ZH: "七组四位数字"},
	"codename_numbered": {
		EN: "Copy each word (or group of digits) with its number, in order. Next, you will be asked to type one of them back.",
		ZH: "请按顺序抄下每一项及其编号。接下来，我们会请您输入其中一项，以确认您已保存。",
	},
	"saved_step_heading": {EN: "Have you saved it?", ZH: "您保存好了吗？"},
	"saved_ask": {
		EN: "Type item number %d of your codename (a word or a group of digits):",
		ZH: "请输入您代号中编号为 %d 的那一项（单词或数字组）：",
	},
	"saved_wrong": {
		EN: "That is not the item with this number. Look at your codename above and type that item exactly as it is written.",
		ZH: "您输入的不是这个编号对应的那一项。请看上方的代号，按原样输入该项。",
	},
	"resend_title": {EN: "This form was sent already", ZH: "此表单已经提交过"},
	"resend_body": {
		EN: "This address only receives the tip form. If you have just sent a tip, your codename was on the page before this one: go back to see it again.",
		ZH: "此地址只用于接收举报表单。如果您刚刚提交了举报，您的代号显示在上一个页面：请返回上一页再次查看。",
	},
	"resend_expired": {
		EN: "This form was sent a while ago, and for your safety its codename is not shown again. Your tip was received.",
		ZH: "此表单已在一段时间前提交。为了您的安全，其代号不再显示。您的举报已经收到。",
	},
	"resend_saved": {
		EN: "If you saved your codename, you can use it to check for replies. If you did not, you can send your tip again as a new one.",
		ZH: "如果您已保存代号，可以用它查看回复。如果没有保存，您可以把举报作为一份新举报再次提交。",
	},
	"resend_form": {EN: "Go to the tip form", ZH: "前往举报表单"},

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
	"logged_out": {
		EN: "You are logged out. Close this window when you are done.",
		ZH: "您已退出登录。使用完毕后请关闭此窗口。",
	},
	"codename_help_both": {
		EN: "Type your codename: its words, or its groups of digits. Spaces, dashes and capital letters do not matter.",
		ZH: "请输入您的代号：英文单词或数字组均可。空格、连字符和大小写都不影响。",
	},
	"thread_heading": {EN: "Messages", ZH: "消息"},
	"thread_tip":     {EN: "Your tip, received on %s (UTC).", ZH: "您的举报，接收日期 %s（UTC）。"},
	"thread_unreadable": {
		EN: "(This message of yours was sent before your own messages could be shown here. The investigators can read it.)",
		ZH: "（您的这条留言是在本页面能显示您自己的留言之前发送的。调查人员可以阅读它。）",
	},
	"mailbox_draft_kept": {
		EN: "Your message is below without the codename. Check it and send it again.",
		ZH: "您的留言已保留在下方，代号已删除。请检查后重新发送。",
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
	"error_not_found_title": {EN: "Not found", ZH: "找不到页面"},
	"error_not_found": {
		EN: "There is no page at this address.",
		ZH: "此地址没有对应的页面。",
	},
	"error_method_title": {EN: "This page cannot be opened this way", ZH: "无法这样打开此页面"},
	"error_method": {
		EN: "This address only takes a form sent from the site. Nothing was saved by opening it; please go back to the start page.",
		ZH: "此地址只接受从本网站提交的表单。打开它不会保存任何内容；请返回首页。",
	},
	"error_request_id":      {EN: "Request id:", ZH: "请求编号："},
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
	"error_store_full": {
		EN: "This desk cannot take files right now: our storage is full. Nothing you sent was saved. Please try again later.",
		ZH: "本举报台现在无法接收文件：我们的存储空间已满。您提交的内容没有保存。请稍后再试。",
	},
	"error_storage_full": {
		EN: "Tipline's storage is full for now, so nothing you sent was saved. Please try again in a few hours.",
		ZH: "Tipline 的存储空间暂时已满，因此您提交的内容没有保存。请几个小时后再试。",
	},
	"error_uploads_busy": {
		EN: "Too many uploads are in progress right now, so your browser could not start sending, and nothing was sent. You can send the form without browser encryption instead: our server will then encrypt it in memory before storing it. Or try again later.",
		ZH: "目前正在进行的上传过多，您的浏览器无法开始发送，因此没有发送任何内容。您可以改为不经浏览器加密直接提交表单：届时将由我们的服务器在内存中加密后再保存。您也可以稍后再试。",
	},
	"error_upload_gone": {
		EN: "Your browser's upload stopped for too long, and the server discarded what had arrived. Nothing was submitted. Please send your tip again.",
		ZH: "您的浏览器上传中断时间过长，服务器已丢弃已收到的部分。没有提交任何内容。请重新发送您的举报。",
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
