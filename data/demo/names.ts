// Vietnamese vocabulary for generated (synthetic) demo data: people's names and incident descriptions.
// All strings are NFC (precomposed) Unicode.
import { pickWeighted, type Rng } from './random.ts'

// Family names with rough national frequencies (%). Northern provinces write Hoàng/Vũ where the
// south writes Huỳnh/Võ, so the two pairs are weighted by region.
const FAMILY_COMMON: Array<[string, number]> = [
  ['Nguyễn', 38], ['Trần', 11], ['Lê', 9.5], ['Phạm', 7], ['Phan', 4.5], ['Đặng', 2.1], ['Bùi', 2],
  ['Đỗ', 1.4], ['Hồ', 1.3], ['Ngô', 1.3], ['Dương', 1], ['Lý', 0.5], ['Đào', 0.8], ['Đinh', 0.8],
  ['Trịnh', 0.6], ['Mai', 0.5], ['Cao', 0.5], ['Lương', 0.4], ['Tạ', 0.3], ['Vương', 0.3]
]
const FAMILY_NORTH: Array<[string, number]> = [['Hoàng', 4.6], ['Huỳnh', 0.4], ['Vũ', 3.5], ['Võ', 0.4]]
const FAMILY_SOUTH: Array<[string, number]> = [['Hoàng', 1.5], ['Huỳnh', 3.5], ['Vũ', 1], ['Võ', 2.9]]

const MIDDLE_MALE: Array<[string, number]> = [
  ['Văn', 40], ['Đức', 12], ['Minh', 12], ['Quốc', 8], ['Hữu', 8], ['Thanh', 6], ['Ngọc', 3], ['Xuân', 4],
  ['Công', 4], ['Trọng', 3], ['Mạnh', 2], ['Tiến', 2], ['Đình', 4]
]
const MIDDLE_FEMALE: Array<[string, number]> = [
  ['Thị', 55], ['Ngọc', 10], ['Thu', 8], ['Thanh', 8], ['Minh', 5], ['Phương', 5], ['Hồng', 5], ['Kim', 4]
]
const GIVEN_MALE = [
  'Anh', 'Bình', 'Cường', 'Dũng', 'Hải', 'Hùng', 'Nam', 'Phúc', 'Quang', 'Sơn', 'Tuấn', 'Long', 'Khánh',
  'Thắng', 'Toàn', 'Hiếu', 'Đạt', 'Huy', 'Trung', 'Việt', 'Kiên', 'Tùng', 'Hưng', 'Thành', 'Lâm', 'Hoàng',
  'Phong', 'Tâm', 'Vinh', 'Đông', 'Chiến', 'Tài', 'Lợi', 'Quân', 'Duy', 'Khoa', 'Thịnh', 'Hậu'
] as const
const GIVEN_FEMALE = [
  'Anh', 'Hà', 'Lan', 'Linh', 'Thảo', 'Trang', 'Hương', 'Mai', 'Hoa', 'Hằng', 'Nhung', 'Phương', 'Yến',
  'Vân', 'Thu', 'Huyền', 'Ngân', 'Nga', 'Hạnh', 'Dung', 'Loan', 'Thủy', 'Oanh', 'Quyên'
] as const

// Province codes of the 2025 map from Thanh Hóa (38) northwards write Hoàng/Vũ more often.
function isNorthern (provinceCode: string): boolean {
  const n = Number(provinceCode)
  return Number.isFinite(n) && n < 40
}

/** A plausible Vietnamese full name (family + middle + given), e.g. "Nguyễn Văn Hùng". */
export function vietnameseName (rng: Rng, provinceCode: string, femaleShare: number): string {
  const family = [...FAMILY_COMMON, ...(isNorthern(provinceCode) ? FAMILY_NORTH : FAMILY_SOUTH)]
  const last = pickWeighted(rng, family.map(f => f[0]), family.map(f => f[1]))
  const female = rng.chance(femaleShare)
  const middles = female ? MIDDLE_FEMALE : MIDDLE_MALE
  const middle = pickWeighted(rng, middles.map(m => m[0]), middles.map(m => m[1]))
  let given: string = rng.pick(female ? GIVEN_FEMALE : GIVEN_MALE)
  if (given === middle) given = female ? 'Hạnh' : 'Hùng'
  return `${last} ${middle} ${given}`
}

// Mobile prefixes in the 09x range (Viettel 096–098, VinaPhone 091/094, MobiFone 090/093 …).
const MOBILE_PREFIXES = ['090', '091', '093', '094', '096', '097', '098'] as const

/** A fake Vietnamese mobile-looking number, 10 digits starting with 09x, e.g. "0912345678". */
export function fakeMobile (rng: Rng): string {
  let rest = ''
  for (let i = 0; i < 7; i++) rest += String(rng.int(i === 0 ? 2 : 0, 9))
  return rng.pick(MOBILE_PREFIXES) + rest
}

// ---------------------------------------------------------------------------------------------
// Incident descriptions. Each entry: text, relative weight, severity shift (−1 … +1).
export type DescriptionEntry = readonly [text: string, weight: number, severityShift: number]

export const DESCRIPTIONS = {
  security: [
    ['Trộm cắp xe máy', 18, 0],
    ['Trộm cắp tài sản trong nhà dân', 14, 0],
    ['Cướp giật tài sản', 9, 1],
    ['Gây rối trật tự công cộng', 12, 0],
    ['Cố ý gây thương tích', 6, 1],
    ['Trộm cắp điện thoại di động', 9, 0],
    ['Đột nhập cửa hàng, trộm cắp tài sản', 7, 0],
    ['Lừa đảo chiếm đoạt tài sản', 6, 0],
    ['Đe dọa, uy hiếp người khác', 4, 0],
    ['Đối tượng khả nghi lảng vảng trong khu dân cư', 8, -1],
    ['Trộm cắp tài sản tại bãi gửi xe', 5, 0],
    ['Cố ý hủy hoại tài sản', 4, 0],
    ['Tàng trữ hung khí trái phép', 2, 1]
  ],
  social_order: [
    ['Tụ tập đánh bạc', 14, 0],
    ['Nghi vấn sử dụng ma túy', 11, 0],
    ['Gây ồn ào, mất trật tự khu dân cư', 14, -1],
    ['Say rượu gây rối', 12, 0],
    ['Cãi vã, xô xát giữa các hộ dân', 10, 0],
    ['Mâu thuẫn gia đình, có dấu hiệu bạo lực', 8, 1],
    ['Thanh thiếu niên tụ tập, nghi chuẩn bị đánh nhau', 6, 1],
    ['Hát karaoke gây ồn ào quá giờ quy định', 9, -1],
    ['Tranh chấp lối đi, ranh giới đất', 5, 0],
    ['Lấn chiếm lòng đường, vỉa hè', 6, -1],
    ['Đòi nợ thuê, gây áp lực với người vay', 5, 0]
  ],
  traffic: [
    ['Va chạm giao thông giữa xe máy và ô tô', 20, 0],
    ['Va chạm giữa hai xe máy', 22, 0],
    ['Tai nạn giao thông, có người bị thương', 12, 1],
    ['Ùn tắc giao thông cục bộ', 12, -1],
    ['Xe tải va chạm với xe máy', 8, 1],
    ['Người đi bộ bị xe máy va quệt', 8, 0],
    ['Xe ô tô chết máy, chắn một phần đường', 6, -1],
    ['Nhóm thanh thiếu niên đua xe trái phép', 5, 0],
    ['Tai nạn liên hoàn nhiều phương tiện', 2, 1],
    ['Xe đầu kéo làm rơi hàng xuống đường', 3, 0]
  ],
  fire: [
    ['Cháy nhà dân', 25, 0],
    ['Cháy kho hàng', 10, 1],
    ['Cháy cửa hàng kinh doanh', 12, 0],
    ['Cháy xưởng sản xuất', 8, 1],
    ['Cháy xe máy đang đỗ', 10, -1],
    ['Cháy ô tô', 6, 0],
    ['Chập điện gây cháy tại hộ gia đình', 14, 0],
    ['Cháy bãi rác, thảm cỏ', 10, -1],
    ['Cháy tủ điện, cột điện', 5, -1]
  ],
  rescue: [
    ['Cứu nạn người đuối nước', 22, 1],
    ['Cứu hộ người mắc kẹt trong thang máy', 14, -1],
    ['Cứu người mắc kẹt sau tai nạn giao thông', 14, 1],
    ['Tìm kiếm người mất tích', 14, 0],
    ['Cứu người bị nạn do sập công trình', 6, 1],
    ['Cứu người rơi xuống giếng, hố sâu', 8, 0],
    ['Hỗ trợ đưa người bị nạn đi cấp cứu', 14, 0]
  ],
  flood: [
    ['Ngập úng cục bộ, hỗ trợ di dời', 26, 0],
    ['Nước dâng cao, hỗ trợ sơ tán hộ dân', 12, 1],
    ['Sạt lở bờ kênh, cảnh báo nguy hiểm', 8, 0],
    ['Cây đổ do mưa lớn, chắn đường', 20, -1],
    ['Ngập sâu tuyến đường, hướng dẫn phân luồng', 18, -1],
    ['Tốc mái nhà do mưa giông', 12, 0]
  ],
  other: [
    ['Tìm kiếm trẻ em đi lạc', 12, 0],
    ['Phát hiện vật nghi là vật liệu nổ', 3, 1],
    ['Hỗ trợ người cao tuổi đi lạc', 12, -1],
    ['Tiếp nhận tài sản thất lạc, trả lại người mất', 14, -1],
    ['Phát hiện người tử vong không rõ nguyên nhân', 3, 1],
    ['Chó thả rông cắn người', 9, 0],
    ['Hỗ trợ người bị ngất trên đường', 12, 0],
    ['Đốt rác gây khói, ô nhiễm khu dân cư', 12, -1],
    ['Phản ánh cơ sở kinh doanh có dấu hiệu vi phạm', 12, -1],
    ['Người có biểu hiện tâm thần gây mất an toàn', 8, 0]
  ]
} as const satisfies Record<string, readonly DescriptionEntry[]>

/** Descriptions used instead for rescue/flood/other incidents that lie along a river. */
export const RIVER_DESCRIPTIONS = {
  rescue: [
    ['Cứu nạn người đuối nước trên sông', 40, 1],
    ['Tìm kiếm người mất tích trên sông', 20, 1],
    ['Cứu hộ thuyền bị lật trên sông', 15, 1],
    ['Hỗ trợ đưa người bị nạn đi cấp cứu', 10, 0]
  ],
  flood: [
    ['Nước sông dâng cao, hỗ trợ sơ tán hộ dân ven sông', 30, 1],
    ['Sạt lở bờ sông, hỗ trợ di dời', 25, 1],
    ['Ngập úng khu vực bãi sông', 25, 0],
    ['Ngập úng cục bộ, hỗ trợ di dời', 20, 0]
  ],
  other: [
    ['Khai thác cát trái phép trên sông', 25, 0],
    ['Phát hiện thi thể trôi trên sông', 5, 1],
    ['Xả thải trái phép ra sông', 20, -1],
    ['Tìm kiếm trẻ em đi lạc', 10, 0],
    ['Đánh bắt thủy sản bằng kích điện', 20, -1],
    ['Hỗ trợ người bị ngất trên đường', 10, 0]
  ]
} as const satisfies Record<string, readonly DescriptionEntry[]>
