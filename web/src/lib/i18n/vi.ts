/** Vietnamese message catalogue (the default language). Every other catalogue has these keys. */
export const vi = {
  'app.title': 'Bản đồ điểm nóng an ninh trật tự',
  'app.subtitle': 'Tổ bảo vệ an ninh, trật tự ở cơ sở và Công an cấp xã',
  'app.province': 'Tỉnh/thành phố',
  'app.language': 'Ngôn ngữ',
  'app.loading': 'Đang tải dữ liệu…',

  'filters.title': 'Bộ lọc',
  'filters.window': 'Khoảng thời gian',
  'filters.window.days': '{n} ngày',
  'filters.window.custom': 'Tùy chọn',
  'filters.window.endsAt': 'Kết thúc ngày dữ liệu mới nhất: {date}',
  'filters.from': 'Từ ngày',
  'filters.to': 'Đến hết ngày',
  'filters.categories': 'Loại sự việc',
  'filters.categories.all': 'Chọn tất cả',
  'filters.categories.none': 'Bỏ chọn tất cả',
  'filters.resolution': 'Độ phân giải lưới H3',
  'filters.resolution.auto': 'Tự động (cấp {res})',
  'filters.resolution.fixed': 'Cấp {res}',
  'filters.resolution.hint': 'Tự động: cấp lưới đổi theo mức thu phóng bản đồ. Cấp càng cao, ô lục giác càng nhỏ.',

  'category.security': 'An ninh trật tự',
  'category.security.hint': 'Trộm cắp, cướp giật, gây rối',
  'category.social_order': 'Tệ nạn xã hội',
  'category.social_order.hint': 'Ma túy, cờ bạc',
  'category.traffic': 'Giao thông',
  'category.traffic.hint': 'Tai nạn, vi phạm giao thông',
  'category.fire': 'Cháy nổ',
  'category.fire.hint': 'Cháy, nổ',
  'category.rescue': 'Cứu nạn cứu hộ',
  'category.rescue.hint': 'Cứu nạn, cứu hộ',
  'category.flood': 'Lũ lụt, thiên tai',
  'category.flood.hint': 'Ngập lụt, bão, sạt lở',
  'category.other': 'Khác',
  'category.other.hint': 'Sự việc khác',

  'legend.title': 'Chú giải',
  'legend.count': 'Số sự việc mỗi ô',
  'legend.resolution': 'Lưới H3 cấp {res}',
  'legend.cells': '{n} ô lục giác',
  'legend.total': 'Tổng số sự việc',
  'legend.inView': 'Trong khung nhìn',
  'legend.window': 'Thời gian',
  'legend.synthetic': 'Dữ liệu sự việc là dữ liệu mô phỏng (generated)',
  'legend.breaksQuantile': 'Ngưỡng màu theo phân vị của dữ liệu',

  'tooltip.count': 'Số sự việc',
  'tooltip.categories': 'Loại',
  'tooltip.commune': 'Xã/phường',
  'tooltip.communeUnknown': 'Ngoài địa bàn đã tải',
  'tooltip.cell': 'Ô H3',
  'tooltip.allCategories': 'Tất cả các loại',

  'state.loading': 'Đang tải…',
  'state.error.api': 'Không kết nối được máy chủ dữ liệu. Vui lòng thử lại sau.',
  'state.error.request': 'Máy chủ từ chối yêu cầu: {message}',
  'state.error.noProvince': 'Chưa có tỉnh/thành phố nào được nạp dữ liệu xã/phường.',
  'state.retry': 'Thử lại',
  'state.empty': 'Không có sự việc nào trong khoảng thời gian và loại đã chọn.',
  'state.noCategory': 'Chưa chọn loại sự việc nào.',
  'state.basemapError': 'Không tải được lớp bản đồ nền.',

  'map.attribution': 'Địa giới: vietnamese-provinces-database (MIT) · Nền: Natural Earth'
}

export type MessageKey = keyof typeof vi
export type Catalogue = Record<MessageKey, string>
