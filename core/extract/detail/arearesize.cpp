#include "core/extract/detail/arearesize.h"

#include <algorithm>
#include <cassert>
#include <cfloat>
#include <cmath>
#include <cstring>

#if defined(__SSE2__) && !defined(RS_AREARESIZE_SCALAR)
#define RS_AREARESIZE_SSE2 1
#include <emmintrin.h>
// The AVX2 kernel is compiled for that instruction set alone (target
// attribute) and chosen at run time: Debian's baseline is SSE2.
#if defined(__GNUC__) && defined(__x86_64__)
#define RS_AREARESIZE_AVX2 1
#include <immintrin.h>
#endif
#endif

// What follows restates OpenCV 4.6.0's modules/imgproc/src/resize.cpp
// (cv::resize -> cv::hal::resize, INTER_AREA, scale >= 1 on both axes):
//  - both scales whole numbers: resizeAreaFast_<uchar, int> sums each block
//    in int and rounds sum * (1.f / area), except that 2x2 blocks go through
//    ResizeAreaFastVec, which rounds (sum + 2) >> 2 instead;
//  - otherwise ResizeArea_Invoker<uchar, float> with the tables of
//    computeResizeAreaTab: per source row, buf[cell] += pixel * alpha in
//    table order, then sum[cell row] = beta * buf or sum += beta * buf.
// Debian's build has no IPP and no custom HAL, and its baseline is SSE2, so
// each float product and sum is rounded on its own: never fused (FMA).
// The float work here performs the same operations in the same order for
// every output value; only the order in which independent values advance
// differs.

namespace rs::detail {

namespace {

constexpr unsigned long long kMaxPixels = 1ull << 31;
constexpr int kMaxSide = 1 << 20;

// An empty asm that claims to change x: the compiler can neither fuse the
// rounding that produced x into a later addition (FMA, which -march flags or
// -ffp-contract=fast would otherwise allow) nor fold it away.
template <typename T>
inline T rounded(T x)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    asm("" : "+x"(x));
#elif defined(__GNUC__)
    asm("" : "+m"(x));
#else
    volatile T keep = x;
    x = keep;
#endif
    return x;
}

// OpenCV's cvCeil / cvFloor for doubles, as written there.
int ceilToInt(double value)
{
    const int i = static_cast<int>(value);
    return i + (i < value);
}

int floorToInt(double value)
{
    const int i = static_cast<int>(value);
    return i - (i > value);
}

// saturate_cast<uchar>(float): cvRound (round half to even, in the default
// rounding mode) then clamp.
unsigned char saturateToByte(float value)
{
    const long rounded = std::lrint(value);
    return static_cast<unsigned char>(std::clamp(rounded, 0L, 255L));
}

struct AreaTap {
    int source;
    int cell;
    float alpha;
};

// computeResizeAreaTab for one axis, cn = 1.
std::vector<AreaTap> areaTable(int sourceSize, double scale)
{
    std::vector<AreaTap> table;
    table.reserve(static_cast<size_t>(sourceSize) * 2);
    for (int cell = 0; cell < AreaResize32::kSide; ++cell) {
        const double start = rounded(cell * scale);
        const double end = start + scale;
        const double cellWidth = std::min(scale, sourceSize - start);

        int first = ceilToInt(start);
        int last = floorToInt(end);
        last = std::min(last, sourceSize - 1);
        first = std::min(first, last);

        if (first - start > 1e-3)
            table.push_back({first - 1, cell, static_cast<float>((first - start) / cellWidth)});
        for (int source = first; source < last; ++source)
            table.push_back({source, cell, static_cast<float>(1.0 / cellWidth)});
        if (end - last > 1e-3)
            table.push_back(
                {last, cell, static_cast<float>(std::min(std::min(end - last, 1.), cellWidth) / cellWidth)});
    }
    return table;
}

// hal::resize's scale and its test for the integer-scale path.
struct AxisScale {
    double scale;
    int integerScale;
    bool isInteger;
};

AxisScale axisScale(int sourceSize)
{
    const double inverse = static_cast<double>(AreaResize32::kSide) / sourceSize;
    const double scale = 1. / inverse;
    const int integerScale = static_cast<int>(std::lrint(scale));
    return {scale, integerScale, std::abs(scale - integerScale) < DBL_EPSILON};
}

// Adds each block's columns, per channel, to sums (32 blocks of
// blockWidth pixels, 3 channels).
template <typename Column>
void addBlockColumns(const Column *columns, int blockWidth, uint32_t *sums)
{
    for (int block = 0; block < AreaResize32::kSide; ++block, sums += 3) {
        uint32_t b = 0, g = 0, r = 0;
        for (int i = 0; i < blockWidth; ++i, columns += 3) {
            b += columns[0];
            g += columns[1];
            r += columns[2];
        }
        sums[0] += b;
        sums[1] += g;
        sums[2] += r;
    }
}

#if RS_AREARESIZE_SSE2
// Adds pixel * weight to sum, per channel: lanes 0..2 are B, G, R.
// Broadcasting the pixel's 4 bytes and masking leaves B, G << 8 and R << 16
// in lanes 0..2 (one shuffle instead of two unpacks); the weights carry
// 2^(-8c) in lane c, so the scaled product rounds to exactly the float of
// channel * alpha.
inline __m128 accumulatePixel(__m128 sum, const unsigned char *pixel, __m128 weight)
{
    const __m128i laneMask = _mm_setr_epi32(0xff, 0xff00, 0xff0000, 0);
    int32_t bytes;
    std::memcpy(&bytes, pixel, sizeof bytes);
    const __m128 value = _mm_cvtepi32_ps(_mm_and_si128(_mm_set1_epi32(bytes), laneMask));
    return _mm_add_ps(sum, rounded(_mm_mul_ps(value, weight)));
}

// The horizontal sums of a group of cells: tap after tap, each cell's chain
// in OpenCV's order, the group's chains interleaved so that none waits on
// its own previous addition. Taps outside [uniformBegin, uniformEnd) take their
// weights from edgeWeights (one 4-float vector per cell and tap), those
// inside from uniformWeights (one per cell).
template <int kGroupCells>
void sumGroup(const unsigned char *const *source, const float *edgeWeights, const float *uniformWeights,
              int uniformBegin, int uniformEnd, int taps, float *out)
{
    __m128 sum[kGroupCells];
#pragma GCC unroll 8
    for (int j = 0; j < kGroupCells; ++j)
        sum[j] = _mm_setzero_ps();
    int tap = 0;
    for (; tap < uniformBegin; ++tap, edgeWeights += 4 * kGroupCells) {
#pragma GCC unroll 8
        for (int j = 0; j < kGroupCells; ++j)
            sum[j] = accumulatePixel(sum[j], source[j] + 3 * tap, _mm_loadu_ps(edgeWeights + 4 * j));
    }
    __m128 weight[kGroupCells];
#pragma GCC unroll 8
    for (int j = 0; j < kGroupCells; ++j)
        weight[j] = _mm_loadu_ps(uniformWeights + 4 * j);
    for (; tap < uniformEnd; ++tap) {
#pragma GCC unroll 8
        for (int j = 0; j < kGroupCells; ++j)
            sum[j] = accumulatePixel(sum[j], source[j] + 3 * tap, weight[j]);
    }
    for (; tap < taps; ++tap, edgeWeights += 4 * kGroupCells) {
#pragma GCC unroll 8
        for (int j = 0; j < kGroupCells; ++j)
            sum[j] = accumulatePixel(sum[j], source[j] + 3 * tap, _mm_loadu_ps(edgeWeights + 4 * j));
    }
#pragma GCC unroll 8
    for (int j = 0; j < kGroupCells; ++j)
        _mm_storeu_ps(out + 4 * j, sum[j]);
}
#endif

#if RS_AREARESIZE_AVX2
// AVX2 without FMA: nothing here can fuse a product into a sum.
#define RS_AVX2 __attribute__((target("avx2")))

RS_AVX2 inline __m256 rounded256(__m256 x)
{
    asm("" : "+x"(x));
    return x;
}

// accumulatePixel for two cells at once: the low lanes are cell a's, the
// high lanes cell b's.
RS_AVX2 inline __m256 accumulatePair(__m256 sum, const unsigned char *a, const unsigned char *b, __m256 weight)
{
    const __m256i laneMask = _mm256_setr_epi32(0xff, 0xff00, 0xff0000, 0, 0xff, 0xff00, 0xff0000, 0);
    int32_t low, high;
    std::memcpy(&low, a, sizeof low);
    std::memcpy(&high, b, sizeof high);
    const __m256i both = _mm256_blend_epi32(_mm256_set1_epi32(low), _mm256_set1_epi32(high), 0xf0);
    const __m256 value = _mm256_cvtepi32_ps(_mm256_and_si256(both, laneMask));
    return _mm256_add_ps(sum, rounded256(_mm256_mul_ps(value, weight)));
}

// sumGroup with two cells in each register: the same weight tables (a
// cell's 4 floats follow its neighbour's), half the instructions.
template <int kGroupCells>
RS_AVX2 void sumGroupAvx2(const unsigned char *const *source, const float *edgeWeights, const float *uniformWeights,
                          int uniformBegin, int uniformEnd, int taps, float *out)
{
    constexpr int kPairs = kGroupCells / 2;
    __m256 sum[kPairs];
#pragma GCC unroll 4
    for (int j = 0; j < kPairs; ++j)
        sum[j] = _mm256_setzero_ps();
    int tap = 0;
    for (; tap < uniformBegin; ++tap, edgeWeights += 4 * kGroupCells) {
#pragma GCC unroll 4
        for (int j = 0; j < kPairs; ++j)
            sum[j] = accumulatePair(sum[j], source[2 * j] + 3 * tap, source[2 * j + 1] + 3 * tap,
                                    _mm256_loadu_ps(edgeWeights + 8 * j));
    }
    __m256 weight[kPairs];
#pragma GCC unroll 4
    for (int j = 0; j < kPairs; ++j)
        weight[j] = _mm256_loadu_ps(uniformWeights + 8 * j);
    for (; tap < uniformEnd; ++tap) {
#pragma GCC unroll 4
        for (int j = 0; j < kPairs; ++j)
            sum[j] = accumulatePair(sum[j], source[2 * j] + 3 * tap, source[2 * j + 1] + 3 * tap, weight[j]);
    }
    for (; tap < taps; ++tap, edgeWeights += 4 * kGroupCells) {
#pragma GCC unroll 4
        for (int j = 0; j < kPairs; ++j)
            sum[j] = accumulatePair(sum[j], source[2 * j] + 3 * tap, source[2 * j + 1] + 3 * tap,
                                    _mm256_loadu_ps(edgeWeights + 8 * j));
    }
#pragma GCC unroll 4
    for (int j = 0; j < kPairs; ++j)
        _mm256_storeu_ps(out + 8 * j, sum[j]);
}
#undef RS_AVX2
#endif

} // namespace

bool AreaResize32::kernelAvailable(Kernel kernel)
{
    switch (kernel) {
    case Kernel::Best:
    case Kernel::Portable: return true;
    case Kernel::Avx2:
#if RS_AREARESIZE_AVX2
        __builtin_cpu_init(); // idempotent; needed where this could run before the runtime's own constructor
        return __builtin_cpu_supports("avx2");
#else
        return false;
#endif
    }
    return false;
}

bool AreaResize32::supports(int width, int height)
{
    return width >= kSide && height >= kSide && width <= kMaxSide && height <= kMaxSide &&
           static_cast<unsigned long long>(width) * static_cast<unsigned long long>(height) <= kMaxPixels;
}

AreaResize32::AreaResize32(int width, int height, Kernel kernel)
    : m_width(width)
    , m_height(height)
{
    assert(supports(width, height));
    assert(kernelAvailable(kernel));
    static const bool avx2 = kernelAvailable(Kernel::Avx2);
    m_avx2 = kernel == Kernel::Avx2 || (kernel == Kernel::Best && avx2);
    const AxisScale x = axisScale(width);
    const AxisScale y = axisScale(height);
    m_integerScale = x.isInteger && y.isInteger;
    if (m_integerScale) {
        m_scaleX = x.integerScale;
        m_scaleY = y.integerScale;
        initIntegerScale();
    } else {
        initFractionalScale();
    }
}

void AreaResize32::initIntegerScale()
{
    const size_t rowBytes = static_cast<size_t>(m_width) * kChannels;
    if (m_scaleY > 1)
        m_columnSums16.assign(rowBytes, 0);
    m_output.assign(kOutputBytes, 0);
}

void AreaResize32::initFractionalScale()
{
    const std::vector<AreaTap> columns = areaTable(m_width, axisScale(m_width).scale);
    const std::vector<AreaTap> rows = areaTable(m_height, axisScale(m_height).scale);

    // Each cell's taps are consecutive pixels (a partial one, whole ones, a
    // partial one), so a cell is its first pixel and its weights.
    std::vector<std::vector<float>> weights(kSide);
    for (const AreaTap &tap : columns) {
        std::vector<float> &cell = weights[tap.cell];
        if (cell.empty())
            m_cellFirstPixel[tap.cell] = tap.source;
        assert(tap.source == m_cellFirstPixel[tap.cell] + static_cast<int>(cell.size()));
        cell.push_back(tap.alpha);
    }
    for (int cell = 0; cell < kSide; ++cell) {
        m_taps = std::max(m_taps, static_cast<int>(weights[cell].size()));
        // No cell comes out empty for scales >= 1; if one did, it would
        // only read its neighbour's pixels with zero weights.
        if (cell > 0 && weights[cell].empty())
            m_cellFirstPixel[cell] = m_cellFirstPixel[cell - 1];
    }
    int realTaps[kSide];
    for (int cell = 0; cell < kSide; ++cell) {
        realTaps[cell] = static_cast<int>(weights[cell].size());
        weights[cell].resize(m_taps, 0.f);
    }

    // A cell reads m_taps pixels from its first, 4 bytes at a time; the
    // cells that would read past the row's end read a padded copy of it.
    m_tailFirstPixel = m_width;
    for (int cell = 0; cell < kSide; ++cell)
        if (m_cellFirstPixel[cell] + m_taps >= m_width)
            m_tailFirstPixel = std::min(m_tailFirstPixel, m_cellFirstPixel[cell]);
    m_tail.assign(static_cast<size_t>(m_width - m_tailFirstPixel + m_taps + 2) * kChannels, 0);

    // Lane c holds channel c shifted left by 8 * c bits (see
    // accumulatePixel), so its weight is scaled back by 2^(-8c): exact, and
    // the product rounds to the same float as channel * alpha.
    auto appendLanes = [](std::vector<float> &to, float alpha) {
        to.insert(to.end(), {alpha, alpha / 256.f, alpha / 65536.f, 0.f});
    };
    for (int group = 0; group < kGroups; ++group) {
        // The longest stretch of taps over which every cell of the group
        // keeps one weight (its whole pixels' 1 / cellWidth): there the
        // weights stay in registers.
        int begin = 0;
        int end = m_taps;
        for (int cell = group * kCellsPerGroup; cell < (group + 1) * kCellsPerGroup; ++cell) {
            const std::vector<float> &w = weights[cell];
            const int middle = realTaps[cell] / 2;
            const float weight = m_taps > 0 ? w[middle] : 0.f;
            int from = middle;
            int to = middle;
            while (from > 0 && w[from - 1] == weight)
                --from;
            while (to < m_taps && w[to] == weight)
                ++to;
            begin = std::max(begin, from);
            end = std::min(end, to);
            appendLanes(m_uniformWeights, weight);
        }
        if (begin >= end)
            begin = end = m_taps;
        m_uniformBegin[group] = begin;
        m_uniformEnd[group] = end;
        m_edgeOffset[group] = static_cast<int>(m_edgeWeights.size());
        for (int tap = 0; tap < m_taps; ++tap) {
            if (tap >= begin && tap < end)
                continue;
            for (int cell = group * kCellsPerGroup; cell < (group + 1) * kCellsPerGroup; ++cell)
                appendLanes(m_edgeWeights, weights[cell][tap]);
        }
    }

    // The vertical table, filed under source rows. A row that straddles two
    // cell rows has two entries; its horizontal sums serve both.
    m_rowTapBegin.assign(static_cast<size_t>(m_height) + 1, 0);
    for (const AreaTap &tap : rows)
        ++m_rowTapBegin[tap.source + 1];
    for (int row = 0; row < m_height; ++row)
        m_rowTapBegin[row + 1] += m_rowTapBegin[row];
    m_rowTaps.resize(rows.size());
    std::vector<int> filled(m_rowTapBegin.begin(), m_rowTapBegin.end() - 1);
    for (size_t i = 0; i < rows.size(); ++i) {
        const bool startsCellRow = i == 0 || rows[i - 1].cell != rows[i].cell;
        m_rowTaps[filled[rows[i].source]++] = {rows[i].cell, rows[i].alpha, startsCellRow};
    }

    m_rowSums.assign(kSide * 4, 0.f);
    m_cellSums.assign(kSide * kSide * 4, 0.f);
}

void AreaResize32::addRow(const unsigned char *bgr)
{
    if (m_rowsAdded >= m_height)
        return;
    if (m_integerScale)
        addRowIntegerScale(bgr);
    else
        addRowFractionalScale(bgr);
    ++m_rowsAdded;
}

void AreaResize32::addRowIntegerScale(const unsigned char *bgr)
{
    const bool bandDone = (m_rowsAdded + 1) % m_scaleY == 0;
    if (m_scaleY == 1) {
        addBlockColumns(bgr, m_scaleX, m_bandSums);
        finishIntegerBand();
        return;
    }

    const int rowBytes = m_width * kChannels;
    uint16_t *sums = m_columnSums16.data();
    int i = 0;
#if RS_AREARESIZE_SSE2
    const __m128i zero = _mm_setzero_si128();
    for (; i + 16 <= rowBytes; i += 16) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i *>(bgr + i));
        __m128i *out = reinterpret_cast<__m128i *>(sums + i);
        _mm_storeu_si128(out, _mm_add_epi16(_mm_loadu_si128(out), _mm_unpacklo_epi8(bytes, zero)));
        _mm_storeu_si128(out + 1, _mm_add_epi16(_mm_loadu_si128(out + 1), _mm_unpackhi_epi8(bytes, zero)));
    }
#endif
    for (; i < rowBytes; ++i)
        sums[i] = static_cast<uint16_t>(sums[i] + bgr[i]);

    // 257 rows of 255 still fit 16 bits.
    if (++m_rowsSinceFlush == 257 || bandDone) {
        addBlockColumns(sums, m_scaleX, m_bandSums);
        std::fill(m_columnSums16.begin(), m_columnSums16.end(), uint16_t(0));
        m_rowsSinceFlush = 0;
    }
    if (bandDone)
        finishIntegerBand();
}

void AreaResize32::finishIntegerBand()
{
    const int cellRow = m_rowsAdded / m_scaleY;
    const int area = m_scaleX * m_scaleY;
    const float scale = 1.f / static_cast<float>(area); // OpenCV: 1.f/(area)
    const bool halving = m_scaleX == 2 && m_scaleY == 2;
    unsigned char *out = m_output.data() + cellRow * kSide * kChannels;
    for (int i = 0; i < kSide * kChannels; ++i) {
        // Every block sum fits an int: area * 255 < 2^31 (supports()).
        const uint32_t sum = m_bandSums[i];
        out[i] = halving ? static_cast<unsigned char>((sum + 2) >> 2)
                         : saturateToByte(static_cast<float>(static_cast<int>(sum)) * scale);
        m_bandSums[i] = 0;
    }
}

void AreaResize32::addRowFractionalScale(const unsigned char *bgr)
{
    const RowTap *tapBegin = m_rowTaps.data() + m_rowTapBegin[m_rowsAdded];
    const RowTap *tapEnd = m_rowTaps.data() + m_rowTapBegin[m_rowsAdded + 1];
    if (tapBegin == tapEnd)
        return;

    if (m_tailFirstPixel < m_width)
        std::memcpy(m_tail.data(), bgr + static_cast<size_t>(m_tailFirstPixel) * kChannels,
                    static_cast<size_t>(m_width - m_tailFirstPixel) * kChannels);
    auto cellSource = [&](int cell) {
        const int first = m_cellFirstPixel[cell];
        return first >= m_tailFirstPixel ? m_tail.data() + static_cast<size_t>(first - m_tailFirstPixel) * kChannels
                                         : bgr + static_cast<size_t>(first) * kChannels;
    };

    // Horizontal: OpenCV's chain buf += pixel * alpha for each (cell,
    // channel), tap after tap; here the three channels of a cell share a
    // register and the cells of a group advance together.
#if RS_AREARESIZE_SSE2
    for (int group = 0; group < kGroups; ++group) {
        const int firstCell = group * kCellsPerGroup;
        const unsigned char *source[kCellsPerGroup];
        for (int j = 0; j < kCellsPerGroup; ++j)
            source[j] = cellSource(firstCell + j);
#if RS_AREARESIZE_AVX2
        if (m_avx2) {
            sumGroupAvx2<kCellsPerGroup>(source, m_edgeWeights.data() + m_edgeOffset[group],
                                         m_uniformWeights.data() + 4 * firstCell, m_uniformBegin[group],
                                         m_uniformEnd[group], m_taps, m_rowSums.data() + 4 * firstCell);
            continue;
        }
#endif
        sumGroup<kCellsPerGroup>(source, m_edgeWeights.data() + m_edgeOffset[group],
                                 m_uniformWeights.data() + 4 * firstCell, m_uniformBegin[group], m_uniformEnd[group],
                                 m_taps, m_rowSums.data() + 4 * firstCell);
    }

    // Vertical: sum = beta * buf for a cell row's first source row, then
    // sum += beta * buf.
    const float *rowSums = m_rowSums.data();
    for (const RowTap *tap = tapBegin; tap != tapEnd; ++tap) {
        const __m128 beta = _mm_set1_ps(tap->beta);
        float *cellSums = m_cellSums.data() + tap->cellRow * kSide * 4;
        if (tap->startsCellRow) {
            for (int cell = 0; cell < kSide; ++cell)
                _mm_storeu_ps(cellSums + 4 * cell, _mm_mul_ps(_mm_loadu_ps(rowSums + 4 * cell), beta));
        } else {
            for (int cell = 0; cell < kSide; ++cell) {
                const __m128 term = rounded(_mm_mul_ps(_mm_loadu_ps(rowSums + 4 * cell), beta));
                _mm_storeu_ps(cellSums + 4 * cell, _mm_add_ps(_mm_loadu_ps(cellSums + 4 * cell), term));
            }
        }
    }
#else
    for (int group = 0; group < kGroups; ++group) {
        const float *edge = m_edgeWeights.data() + m_edgeOffset[group];
        for (int tap = 0; tap < m_taps; ++tap) {
            const bool uniform = tap >= m_uniformBegin[group] && tap < m_uniformEnd[group];
            for (int j = 0; j < kCellsPerGroup; ++j) {
                const int cell = group * kCellsPerGroup + j;
                // Lane 0 carries the weight itself.
                const float alpha = uniform ? m_uniformWeights[4 * cell] : edge[4 * j];
                const unsigned char *pixel = cellSource(cell) + tap * kChannels;
                float *sum = m_rowSums.data() + 4 * cell;
                for (int c = 0; c < kChannels; ++c)
                    sum[c] = tap == 0 ? rounded(pixel[c] * alpha) : sum[c] + rounded(pixel[c] * alpha);
            }
            if (!uniform)
                edge += 4 * kCellsPerGroup;
        }
    }
    for (const RowTap *tap = tapBegin; tap != tapEnd; ++tap) {
        float *cellSums = m_cellSums.data() + tap->cellRow * kSide * 4;
        for (int cell = 0; cell < kSide; ++cell)
            for (int c = 0; c < kChannels; ++c) {
                const float term = rounded(tap->beta * m_rowSums[4 * cell + c]);
                cellSums[4 * cell + c] = tap->startsCellRow ? term : cellSums[4 * cell + c] + term;
            }
    }
#endif
}

void AreaResize32::result(unsigned char out[kOutputBytes]) const
{
    if (m_integerScale) {
        std::memcpy(out, m_output.data(), kOutputBytes);
        return;
    }
#if RS_AREARESIZE_SSE2
    // saturateToByte four cells at a time: clamping the float to [0, 255]
    // before rounding (cvtps2dq, the same current rounding mode as lrint)
    // gives what clamping the rounded value gives, NaN (0) included.
    const __m128 low = _mm_setzero_ps();
    const __m128 high = _mm_set1_ps(255.f);
    auto toInt = [&](const float *sums) {
        return _mm_cvtps_epi32(_mm_min_ps(_mm_max_ps(_mm_loadu_ps(sums), low), high));
    };
    for (int cell = 0; cell < kSide * kSide; cell += 4) {
        const float *sums = m_cellSums.data() + 4 * cell;
        const __m128i bytes = _mm_packus_epi16(_mm_packs_epi32(toInt(sums), toInt(sums + 4)),
                                               _mm_packs_epi32(toInt(sums + 8), toInt(sums + 12)));
        alignas(16) unsigned char lanes[16];
        _mm_store_si128(reinterpret_cast<__m128i *>(lanes), bytes);
        for (int k = 0; k < 4; ++k)
            std::memcpy(out + (cell + k) * kChannels, lanes + 4 * k, kChannels);
    }
#else
    for (int cell = 0; cell < kSide * kSide; ++cell)
        for (int c = 0; c < kChannels; ++c)
            out[cell * kChannels + c] = saturateToByte(m_cellSums[4 * cell + c]);
#endif
}

} // namespace rs::detail
