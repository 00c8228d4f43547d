/* demo_data.c: the hand-placed Binh Duong geography and the zoning tables, copied from
 * shared/bench/gen_binhduong.py (same names, same values, same UTF-8 text). */
#include "import/import_int.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Province outline, counter-clockwise from Lai Thieu (Saigon river, SW). */
const imp__ll imp__province_ll[] = {
    {106.69, 10.885}, {106.72, 10.875}, {106.76, 10.862}, {106.8, 10.87},
    {106.825, 10.895}, {106.83, 10.935}, {106.845, 10.975}, {106.875, 11.015},
    {106.895, 11.06}, {106.92, 11.11}, {106.94, 11.17}, {106.935, 11.24},
    {106.95, 11.3}, {106.935, 11.37}, {106.905, 11.42}, {106.86, 11.445},
    {106.8, 11.46}, {106.74, 11.44}, {106.68, 11.45}, {106.62, 11.43},
    {106.56, 11.445}, {106.5, 11.47}, {106.445, 11.48}, {106.395, 11.46},
    {106.36, 11.42}, {106.348, 11.37}, {106.355, 11.31}, {106.37, 11.262},
    {106.41, 11.215}, {106.455, 11.17}, {106.5, 11.125}, {106.54, 11.085},
    {106.585, 11.05}, {106.61, 11.02}, {106.625, 10.985}, {106.64, 10.955},
    {106.66, 10.925}, {106.68, 10.9},
};
const size_t imp__n_province_ll = N_OF(imp__province_ll);

const imp__border_river_def imp__border_rivers[IMP_N_BORDER_RIVERS] = {
    {"Sông Đồng Nai", 4, 9, 140.0},
    {"Sông Bé", 9, 13, 70.0},
    {"Sông Sài Gòn", 24, 38, 110.0},
};

static const imp__ll river0[] = {
    {106.64, 11.37}, {106.612, 11.3}, {106.596, 11.225}, {106.604, 11.16},
    {106.598, 11.1}, {106.606, 11.052}, {106.6125, 11.0225},
};
static const imp__ll river1[] = {
    {106.79, 11.18}, {106.77, 11.12}, {106.745, 11.08}, {106.73, 11.03},
    {106.705, 10.99}, {106.68, 10.96}, {106.664, 10.932},
};
static const imp__ll river2[] = {
    {106.9, 11.26}, {106.88, 11.2}, {106.86, 11.12}, {106.85, 11.06},
    {106.8625, 11.01},
};
const imp__inner_river_def imp__inner_rivers[IMP_N_INNER_RIVERS] = {
    {"Sông Thị Tính", 35.0, river0, N_OF(river0)},
    {"Suối Giữa", 15.0, river1, N_OF(river1)},
    {"Suối Cái", 15.0, river2, N_OF(river2)},
};

static const char *const wards0[] = {
    "Phú Cường", "Hiệp Thành", "Chánh Nghĩa", "Phú Thọ", "Phú Hòa", "Phú Lợi", "Hiệp An",
    "Định Hòa", "Tân An", "Chánh Mỹ", "Tương Bình Hiệp", "Phú Mỹ", "Hòa Phú", "Phú Tân",
};
static const char *const wards1[] = {
    "Lái Thiêu", "An Thạnh", "Vĩnh Phú", "Bình Hòa", "Bình Nhâm", "Hưng Định", "An Phú",
    "Thuận Giao", "Bình Chuẩn", "An Sơn",
};
static const char *const wards2[] = {
    "Dĩ An", "An Bình", "Tân Đông Hiệp", "Đông Hòa", "Tân Bình", "Bình An", "Bình Thắng",
};
static const char *const wards3[] = {
    "Uyên Hưng", "Tân Phước Khánh", "Thái Hòa", "Thạnh Phước", "Khánh Bình", "Tân Hiệp",
    "Vĩnh Tân", "Hội Nghĩa", "Phú Chánh", "Tân Vĩnh Hiệp", "Bạch Đằng", "Thạnh Hội",
};
static const char *const wards4[] = {
    "Mỹ Phước", "Thới Hòa", "Tân Định", "Hòa Lợi", "Chánh Phú Hòa", "An Điền", "An Tây",
    "Phú An",
};
static const char *const wards5[] = {
    "Lai Uyên", "Lai Hưng", "Long Nguyên", "Trừ Văn Thố", "Cây Trường II", "Hưng Hòa",
    "Tân Hưng",
};
static const char *const wards6[] = {
    "Tân Thành", "Tân Bình", "Bình Mỹ", "Đất Cuốc", "Tân Định", "Hiếu Liêm", "Lạc An",
    "Tân Lập", "Tân Mỹ", "Thường Tân",
};
static const char *const wards7[] = {
    "Phước Vĩnh", "An Bình", "An Linh", "An Long", "An Thái", "Phước Hòa", "Phước Sang",
    "Tam Lập", "Tân Hiệp", "Tân Long", "Vĩnh Hòa",
};
static const char *const wards8[] = {
    "Dầu Tiếng", "An Lập", "Định An", "Định Hiệp", "Định Thành", "Long Hòa", "Long Tân",
    "Minh Hòa", "Minh Tân", "Minh Thạnh", "Thanh An", "Thanh Tuyền",
};
/* code, name, ascii, admin type, anchor (lon, lat), area km2, population, wards */
const imp__district_def imp__districts[IMP_N_DISTRICTS] = {
    {718, "Thủ Dầu Một", "Thu Dau Mot", "Thành phố", {106.66, 11.0}, 118.9, 321600,
     wards0, N_OF(wards0)},
    {725, "Thuận An", "Thuan An", "Thành phố", {106.712, 10.925}, 83.7, 596200,
     wards1, N_OF(wards1)},
    {724, "Dĩ An", "Di An", "Thành phố", {106.778, 10.902}, 60.1, 474700,
     wards2, N_OF(wards2)},
    {723, "Tân Uyên", "Tan Uyen", "Thị xã", {106.79, 11.035}, 192.5, 370500,
     wards3, N_OF(wards3)},
    {721, "Bến Cát", "Ben Cat", "Thị xã", {106.575, 11.125}, 234.4, 290000,
     wards4, N_OF(wards4)},
    {719, "Bàu Bàng", "Bau Bang", "Huyện", {106.625, 11.275}, 339.2, 107000,
     wards5, N_OF(wards5)},
    {726, "Bắc Tân Uyên", "Bac Tan Uyen", "Huyện", {106.865, 11.15}, 400.0, 69000,
     wards6, N_OF(wards6)},
    {722, "Phú Giáo", "Phu Giao", "Huyện", {106.82, 11.345}, 541.5, 96000,
     wards7, N_OF(wards7)},
    {720, "Dầu Tiếng", "Dau Tieng", "Huyện", {106.44, 11.33}, 720.0, 116000,
     wards8, N_OF(wards8)},
};

/* Urban centres for the density field: lon, lat, sigma km, weight. */
const imp__centre_def imp__urban_centres[] = {
    {106.655, 10.982, 3.0, 1.0},
    {106.705, 10.912, 2.8, 1.0},
    {106.745, 10.95, 2.5, 0.8},
    {106.77, 10.905, 2.8, 1.0},
    {106.676, 11.055, 2.5, 0.6},
    {106.795, 11.06, 2.2, 0.55},
    {106.752, 10.995, 2.2, 0.5},
    {106.64, 11.085, 2.0, 0.4},
    {106.6, 11.15, 2.5, 0.55},
    {106.628, 11.262, 1.8, 0.3},
    {106.798, 11.295, 1.8, 0.35},
    {106.365, 11.28, 1.8, 0.35},
    {106.865, 11.17, 1.5, 0.25},
};
const size_t imp__n_urban_centres = N_OF(imp__urban_centres);

static const imp__ll road0[] = {
    {106.707, 10.868}, {106.703, 10.905}, {106.712, 10.935}, {106.7, 10.965},
    {106.678, 10.985}, {106.665, 11.01}, {106.65, 11.045}, {106.628, 11.09},
    {106.61, 11.14}, {106.612, 11.19}, {106.625, 11.25}, {106.632, 11.32},
    {106.64, 11.4}, {106.645, 11.47},
};
static const imp__ll road1[] = {
    {106.768, 10.866}, {106.78, 10.88}, {106.8, 10.892}, {106.828, 10.905},
};
static const imp__ll road2[] = {
    {106.822, 10.912}, {106.78, 10.93}, {106.745, 10.955}, {106.715, 10.985},
    {106.695, 11.02}, {106.675, 11.06}, {106.65, 11.1}, {106.625, 11.13},
    {106.598, 11.16},
};
static const imp__ll road3[] = {
    {106.722, 10.87}, {106.728, 10.95}, {106.708, 11.02}, {106.683, 11.1},
    {106.662, 11.2}, {106.672, 11.3}, {106.682, 11.4}, {106.69, 11.476},
};
static const imp__ll road4[] = {
    {106.648, 10.948}, {106.7, 10.962}, {106.74, 10.99}, {106.78, 11.0},
    {106.82, 10.992}, {106.846, 10.985},
};
static const imp__ll road5[] = {
    {106.712, 10.902}, {106.75, 10.915}, {106.77, 10.945}, {106.79, 10.985},
    {106.8, 11.02}, {106.797, 11.06},
};
static const imp__ll road6[] = {
    {106.67, 11.0}, {106.7, 11.04}, {106.725, 11.08}, {106.75, 11.14},
    {106.78, 11.2}, {106.8, 11.26}, {106.805, 11.295}, {106.815, 11.36},
    {106.83, 11.42}, {106.84, 11.48},
};
static const imp__ll road7[] = {
    {106.69, 11.005}, {106.73, 11.05}, {106.76, 11.1}, {106.8, 11.13},
    {106.85, 11.15},
};
static const imp__ll road8[] = {
    {106.65, 10.99}, {106.625, 11.03}, {106.585, 11.075}, {106.545, 11.105},
    {106.495, 11.15}, {106.445, 11.2}, {106.405, 11.245}, {106.368, 11.28},
};
static const imp__ll road9[] = {
    {106.797, 11.06}, {106.825, 11.075}, {106.855, 11.11}, {106.88, 11.16},
    {106.905, 11.205}, {106.93, 11.25},
};
static const imp__ll road10[] = {
    {106.797, 11.06}, {106.812, 11.11}, {106.83, 11.17}, {106.85, 11.22},
    {106.87, 11.262},
};
static const imp__ll road11[] = {
    {106.6, 11.155}, {106.55, 11.19}, {106.5, 11.228}, {106.45, 11.258},
    {106.368, 11.282},
};
static const imp__ll road12[] = {
    {106.368, 11.282}, {106.43, 11.33}, {106.52, 11.355}, {106.6, 11.345},
    {106.632, 11.32}, {106.7, 11.31}, {106.76, 11.3}, {106.805, 11.295},
    {106.88, 11.31}, {106.96, 11.32},
};
/* Main roads: class, name, ref, lanes, polyline. */
const imp__main_road_def imp__main_roads[] = {
    {IMP_RC_TRUNK, "Quốc lộ 13 (Đại lộ Bình Dương)", "QL13", 6, road0, N_OF(road0)},
    {IMP_RC_TRUNK, "Quốc lộ 1K", "QL1K", 6, road1, N_OF(road1)},
    {IMP_RC_TRUNK, "Đường Mỹ Phước – Tân Vạn", "ĐT7B", 6, road2, N_OF(road2)},
    {IMP_RC_MOTORWAY, "Cao tốc TP.HCM – Thủ Dầu Một – Chơn Thành", "CT.16", 6, road3, N_OF(road3)},
    {IMP_RC_MOTORWAY, "Vành đai 3", "VĐ3", 6, road4, N_OF(road4)},
    {IMP_RC_PRIMARY, "Đường ĐT743", "ĐT743", 4, road5, N_OF(road5)},
    {IMP_RC_PRIMARY, "Đường ĐT741", "ĐT741", 4, road6, N_OF(road6)},
    {IMP_RC_PRIMARY, "Đường ĐT742", "ĐT742", 4, road7, N_OF(road7)},
    {IMP_RC_PRIMARY, "Đường ĐT744", "ĐT744", 2, road8, N_OF(road8)},
    {IMP_RC_PRIMARY, "Đường ĐT746", "ĐT746", 2, road9, N_OF(road9)},
    {IMP_RC_PRIMARY, "Đường ĐT747", "ĐT747", 2, road10, N_OF(road10)},
    {IMP_RC_PRIMARY, "Đường ĐT748", "ĐT748", 2, road11, N_OF(road11)},
    {IMP_RC_PRIMARY, "Đường ĐT750", "ĐT750", 2, road12, N_OF(road12)},
};
const size_t imp__n_main_roads = N_OF(imp__main_roads);

/* Industrial parks: short name, full name, lon/lat, area ha, planned, year, developer. */
const imp__park_def imp__parks[] = {
    {"VSIP I", "Khu công nghiệp Việt Nam – Singapore (VSIP I)",
     {106.712, 10.932}, 500.0, 0, 1996, "Liên doanh VSIP"},
    {"Đồng An", "Khu công nghiệp Đồng An",
     {106.724, 10.906}, 138.0, 0, 1996, "Becamex IDC"},
    {"Việt Hương", "Khu công nghiệp Việt Hương",
     {106.747, 10.965}, 36.0, 0, 1996, "Công ty CP Việt Hương"},
    {"Sóng Thần 1", "Khu công nghiệp Sóng Thần 1",
     {106.76, 10.899}, 178.0, 0, 1995, "Công ty CP Đại Nam"},
    {"Sóng Thần 2", "Khu công nghiệp Sóng Thần 2",
     {106.742, 10.92}, 279.0, 0, 1996, "Công ty CP Đại Nam"},
    {"Tân Đông Hiệp A", "Khu công nghiệp Tân Đông Hiệp A",
     {106.792, 10.917}, 53.0, 0, 2001, "Công ty Dapark"},
    {"Tân Đông Hiệp B", "Khu công nghiệp Tân Đông Hiệp B",
     {106.776, 10.936}, 163.0, 0, 2002, "Công ty CP Tân Đông Hiệp"},
    {"Bình Đường", "Khu công nghiệp Bình Đường",
     {106.752, 10.881}, 16.5, 0, 1996, "Công ty CP An Bình"},
    {"Sóng Thần 3", "Khu công nghiệp Sóng Thần 3",
     {106.702, 11.03}, 533.0, 0, 2005, "Công ty CP Đại Nam"},
    {"Phú Tân", "Khu công nghiệp Phú Tân",
     {106.682, 11.035}, 107.0, 0, 2005, "Công ty CP Phú Tân"},
    {"Kim Huy", "Khu công nghiệp Kim Huy",
     {106.718, 11.054}, 213.0, 0, 2006, "Công ty CP Kim Huy"},
    {"Đại Đăng", "Khu công nghiệp Đại Đăng",
     {106.69, 11.01}, 274.0, 0, 2005, "Công ty Đại Đăng"},
    {"Đồng An 2", "Khu công nghiệp Đồng An 2",
     {106.662, 11.087}, 158.0, 0, 2006, "Becamex IDC"},
    {"VSIP II", "Khu công nghiệp Việt Nam – Singapore II (VSIP II)",
     {106.69, 11.087}, 345.0, 0, 2006, "Liên doanh VSIP"},
    {"Mapletree", "Khu công nghiệp Mapletree Bình Dương",
     {106.71, 11.078}, 75.0, 0, 2008, "Mapletree"},
    {"VSIP II-A", "Khu công nghiệp Việt Nam – Singapore II-A (VSIP II-A)",
     {106.722, 11.138}, 1008.0, 0, 2008, "Liên doanh VSIP"},
    {"Nam Tân Uyên", "Khu công nghiệp Nam Tân Uyên",
     {106.76, 11.045}, 288.0, 0, 2004, "Công ty CP KCN Nam Tân Uyên"},
    {"Nam Tân Uyên MR", "Khu công nghiệp Nam Tân Uyên mở rộng",
     {106.779, 11.07}, 346.0, 0, 2008, "Công ty CP KCN Nam Tân Uyên"},
    {"Tân Bình", "Khu công nghiệp Tân Bình",
     {106.815, 11.15}, 352.0, 0, 2011, "Công ty CP Tân Bình"},
    {"Đất Cuốc", "Khu công nghiệp Đất Cuốc",
     {106.852, 11.168}, 212.0, 0, 2006, "Công ty CP KCN Đất Cuốc"},
    {"Mỹ Phước", "Khu công nghiệp Mỹ Phước",
     {106.618, 11.152}, 377.0, 0, 2002, "Becamex IDC"},
    {"Mỹ Phước 2", "Khu công nghiệp Mỹ Phước 2",
     {106.628, 11.18}, 477.0, 0, 2005, "Becamex IDC"},
    {"Mỹ Phước 3", "Khu công nghiệp Mỹ Phước 3",
     {106.645, 11.122}, 978.0, 0, 2006, "Becamex IDC"},
    {"Thới Hòa", "Khu công nghiệp Thới Hòa",
     {106.593, 11.11}, 202.0, 0, 2006, "Becamex IDC"},
    {"Rạch Bắp", "Khu công nghiệp Rạch Bắp",
     {106.568, 11.117}, 279.0, 0, 2006, "Công ty CP Rạch Bắp"},
    {"An Tây", "Khu công nghiệp An Tây (Protrade)",
     {106.565, 11.082}, 500.0, 0, 2008, "Protrade – Becamex"},
    {"Việt Hương 2", "Khu công nghiệp Việt Hương 2",
     {106.588, 11.2}, 250.0, 0, 2008, "Công ty CP Việt Hương"},
    {"Mai Trung", "Khu công nghiệp Mai Trung",
     {106.576, 11.152}, 50.0, 0, 2006, "Công ty Mai Trung"},
    {"Bàu Bàng", "Khu công nghiệp Bàu Bàng",
     {106.638, 11.245}, 1000.0, 0, 2008, "Becamex IDC"},
    {"VSIP III", "Khu công nghiệp Việt Nam – Singapore III (VSIP III)",
     {106.762, 11.172}, 1000.0, 1, 2021, "Liên doanh VSIP"},
    {"Bàu Bàng MR", "Khu công nghiệp Bàu Bàng mở rộng",
     {106.658, 11.29}, 1000.0, 1, 2018, "Becamex IDC"},
    {"Cây Trường", "Khu công nghiệp Cây Trường",
     {106.582, 11.312}, 700.0, 1, 2022, "Becamex IDC"},
    {"Lai Hưng", "Khu công nghiệp Lai Hưng",
     {106.598, 11.24}, 600.0, 1, 2022, "Công ty CP KCN Lai Hưng"},
    {"Tân Lập", "Khu công nghiệp Tân Lập I",
     {106.875, 11.21}, 200.0, 1, 2023, "Becamex IDC"},
    {"Tam Lập", "Khu công nghiệp Tam Lập",
     {106.868, 11.335}, 700.0, 1, 2023, "Công ty CP Tam Lập"},
};
const size_t imp__n_parks = N_OF(imp__parks);

/* Named green spaces: name, lon/lat, area ha, type. */
const imp__green_def imp__named_green[] = {
    {"Công viên Thủ Dầu Một", {106.648, 10.977}, 15.0, "park"},
    {"Công viên Bạch Đằng", {106.6455, 10.966}, 5.0, "park"},
    {"Công viên Thanh Lễ", {106.668, 10.99}, 12.0, "park"},
    {"Công viên trung tâm Thành phố mới Bình Dương", {106.672, 11.057}, 60.0, "park"},
    {"Công viên Dĩ An", {106.768, 10.909}, 8.0, "park"},
    {"Công viên Lái Thiêu", {106.695, 10.9}, 6.0, "park"},
    {"Khu du lịch Đại Nam", {106.62, 11.05}, 450.0, "leisure"},
    {"Khu di tích Địa đạo Tam Giác Sắt", {106.51, 11.14}, 70.0, "heritage"},
    {"Hồ Bình An", {106.79, 10.884}, 30.0, "park"},
    {"Công viên Tân Uyên", {106.803, 11.064}, 10.0, "park"},
    {"Công viên Mỹ Phước", {106.597, 11.163}, 8.0, "park"},
    {"Núi Cậu – Lòng hồ Dầu Tiếng", {106.378, 11.385}, 300.0, "forest"},
    {"Khu sinh thái vườn Lái Thiêu", {106.688, 10.932}, 200.0, "orchard"},
};
const size_t imp__n_named_green = N_OF(imp__named_green);
/* Thành phố mới Bình Dương: grid-planned new city. */
const imp__ll imp__new_city_at = {106.676, 11.055};
const double imp__new_city_ha = 1000.0;

static const double far_R1[] = {1.0, 1.5, 2.0, 2.5, 3.0};
static const double height_R1[] = {12.0, 15.0, 18.0, 21.0};
static const double cov_R1[] = {50.0, 60.0, 70.0};
static const double far_R2[] = {3.0, 4.0, 5.0, 6.0, 7.0};
static const double height_R2[] = {30.0, 45.0, 60.0, 75.0, 90.0};
static const double cov_R2[] = {35.0, 40.0, 50.0};
static const double far_C[] = {3.0, 4.5, 6.0, 8.0, 10.0};
static const double height_C[] = {25.0, 40.0, 60.0, 90.0, 120.0};
static const double cov_C[] = {40.0, 50.0, 60.0};
static const double far_IND[] = {0.6, 0.8, 1.0, 1.2, 1.5};
static const double height_IND[] = {12.0, 15.0, 18.0, 25.0};
static const double cov_IND[] = {50.0, 60.0, 70.0};
static const double far_MX[] = {3.5, 5.0, 6.5, 8.0};
static const double height_MX[] = {30.0, 45.0, 60.0, 80.0, 100.0};
static const double cov_MX[] = {40.0, 50.0, 60.0};
static const double far_PUB[] = {0.8, 1.2, 2.0, 3.0};
static const double height_PUB[] = {12.0, 16.0, 20.0, 30.0};
static const double cov_PUB[] = {30.0, 40.0, 50.0};
static const double far_GR[] = {0.0, 0.05, 0.1};
static const double height_GR[] = {0.0, 4.0, 6.0};
static const double cov_GR[] = {0.0, 5.0};
static const double far_AG[] = {0.0, 0.1, 0.2};
static const double height_AG[] = {0.0, 6.0, 8.0};
static const double cov_AG[] = {0.0, 5.0, 10.0};
static const double far_W[] = {0.0};
static const double height_W[] = {0.0};
static const double cov_W[] = {0.0};
#define ZONE(c, name) {#c, name, far_##c, N_OF(far_##c), height_##c, N_OF(height_##c), \
                       cov_##c, N_OF(cov_##c)}
/* code: Vietnamese name, plot ratios, heights m, coverage %, in imp__zone order. */
const imp__zone_def imp__zones[IMP_N_ZONES] = {
    ZONE(R1, "Đất ở mật độ thấp"),
    ZONE(R2, "Đất ở mật độ cao"),
    ZONE(C, "Đất thương mại – dịch vụ"),
    ZONE(IND, "Đất công nghiệp"),
    ZONE(MX, "Đất hỗn hợp"),
    ZONE(PUB, "Đất công trình công cộng"),
    ZONE(GR, "Đất cây xanh – công viên"),
    ZONE(AG, "Đất nông nghiệp"),
    ZONE(W, "Đất mặt nước"),
};

/* Zone mix by urban-intensity band (R1 R2 C IND MX PUB GR AG W). */
const double imp__mix_urban[IMP_N_ZONES] = {0.22, 0.38, 0.11, 0.03, 0.13, 0.07, 0.06, 0.0, 0.0};
const double imp__mix_suburb[IMP_N_ZONES] = {0.46, 0.08, 0.05, 0.1, 0.05, 0.05, 0.05, 0.16, 0.0};
const double imp__mix_rural[IMP_N_ZONES] = {0.12, 0.0, 0.01, 0.02, 0.0, 0.03, 0.07, 0.75, 0.0};
const double imp__mix_newcity[IMP_N_ZONES] = {0.05, 0.2, 0.25, 0.0, 0.28, 0.12, 0.1, 0.0, 0.0};

const char *const imp__street_names[] = {
    "Nguyễn Văn Tiết", "Lê Hồng Phong", "Trần Phú", "Hùng Vương", "Nguyễn Trãi",
    "Lý Thường Kiệt", "Phạm Ngọc Thạch", "Nguyễn Du", "Hai Bà Trưng", "Cách Mạng Tháng Tám",
    "Nguyễn An Ninh", "Yersin", "Bạch Đằng", "Huỳnh Văn Lũy", "Lê Lợi", "Nguyễn Văn Linh",
    "Võ Văn Kiệt", "Điện Biên Phủ", "Phan Đình Phùng", "Nguyễn Chí Thanh", "Trần Hưng Đạo",
    "Lê Duẩn", "Ngô Quyền", "Quang Trung", "Nguyễn Huệ", "Đinh Bộ Lĩnh", "Phan Bội Châu",
    "Lạc Long Quân", "Âu Cơ", "Nguyễn Thị Minh Khai", "Võ Thị Sáu", "Trường Chinh",
    "Tô Vĩnh Diện", "Nguyễn Đức Thuận", "Lê Thị Trung", "Huỳnh Thị Hiếu", "Phú Lợi",
    "Thích Quảng Đức", "Hồ Văn Cống", "Nguyễn Thái Học", "Lò Chén", "Trần Văn Ơn",
    "Bùi Quốc Khánh", "Đoàn Thị Liên", "Nguyễn Tri Phương", "Lê Chí Dân", "Mỹ Phước Tân Vạn",
    "Ngô Chí Quốc", "Trịnh Hoài Đức", "Châu Văn Tiếp", "Nguyễn Văn Thành", "Vĩnh Phú 40",
    "Gia Long", "Đồng Khởi", "Thủ Khoa Huân", "Hoàng Hoa Thám", "Lê Văn Tách",
};
const size_t imp__n_street_names = N_OF(imp__street_names);

const char *const imp__road_class_name[IMP_N_ROAD_CLASSES] = {
    "motorway", "trunk", "primary", "secondary", "tertiary", "residential", "unclassified"};
const int imp__road_class_speed[IMP_N_ROAD_CLASSES] = {120, 80, 60, 50, 40, 30, 30};
