#pragma once
// cv::resize(src, dst, cv::Size(32, 32), 0, 0, cv::INTER_AREA) for 8-bit BGR
// images, fed one row at a time so that a decoder never holds the whole
// image. The bytes are exactly those of OpenCV 4.6.0 as Debian 12 builds it
// (x86-64, SSE2 baseline, no IPP or HAL): the perceptual hash built on them
// must not depend on which of the two computed it. tests/core/test_arearesize.cpp
// compares the two over many sizes and contents. It runs several times
// faster than cv::resize on one thread: it interleaves the float sums that
// OpenCV computes one after another, and on a CPU with AVX2 it advances two
// cells in each vector (each lane still rounds each product and each sum on
// its own, so the bytes do not depend on the vector width). One instance per
// image and thread.
#include <cstdint>
#include <vector>

namespace rs::detail {

class AreaResize32 {
public:
    // The instructions the float sums run on. Best picks the widest this CPU
    // has; the others exist so that tests can hold each to OpenCV's bytes.
    enum class Kernel { Best, Portable, Avx2 };
    static bool kernelAvailable(Kernel kernel);

    static constexpr int kSide = 32;
    static constexpr int kChannels = 3;
    static constexpr int kOutputBytes = kSide * kSide * kChannels;

    // Sizes this class reproduces: both sides at least 32 (OpenCV enlarges a
    // smaller side by interpolation instead), at most 2^20, and at most 2^31
    // pixels (far below where OpenCV's int block sums would overflow).
    static bool supports(int width, int height);

    // Allocates everything addRow needs (O(width + height) bytes; throws
    // std::bad_alloc when it cannot); width and height must be supported,
    // and the kernel available.
    AreaResize32(int width, int height, Kernel kernel = Kernel::Best);

    // Rows 0..height-1 in order, each width * 3 bytes of B, G, R. The row is
    // only read during the call. Rows beyond height are ignored. Never
    // allocates or throws.
    void addRow(const unsigned char *bgr);

    bool complete() const { return m_rowsAdded == m_height; }

    // Row-major 32x32 B, G, R: the bytes cv::resize writes. Only meaningful
    // once complete().
    void result(unsigned char out[kOutputBytes]) const;

private:
    // Cells whose sums run interleaved, so that no sum waits on its own
    // previous addition.
    static constexpr int kCellsPerGroup = 8;
    static constexpr int kGroups = kSide / kCellsPerGroup;

    // One entry of OpenCV's vertical table, filed under its source row.
    struct RowTap {
        int cellRow;
        float beta;
        bool startsCellRow;
    };

    void initIntegerScale();
    void initFractionalScale();
    void addRowIntegerScale(const unsigned char *bgr);
    void addRowFractionalScale(const unsigned char *bgr);
    void finishIntegerBand();

    int m_width;
    int m_height;
    int m_rowsAdded = 0;
    bool m_avx2 = false;

    // OpenCV's resizeAreaFast_: both scales whole numbers.
    bool m_integerScale = false;
    int m_scaleX = 0;
    int m_scaleY = 0;
    std::vector<uint16_t> m_columnSums16; // per byte of a row: the rows since the last flush
    int m_rowsSinceFlush = 0;
    uint32_t m_bandSums[kSide * kChannels] = {}; // the current band of rows, per block
    std::vector<unsigned char> m_output;         // filled band by band

    // OpenCV's ResizeArea_Invoker: any other scale. Each cell (output
    // column) reads m_taps consecutive pixels; cells with fewer real taps
    // are padded with zero weights, which leave a float sum unchanged.
    // Weights and sums come 4 floats per cell: lanes for B, G, R and a spare
    // (the .cpp explains how the weights' lanes are scaled).
    int m_taps = 0;
    int m_cellFirstPixel[kSide] = {};
    int m_tailFirstPixel = 0;          // cells from here on read m_tail
    std::vector<unsigned char> m_tail; // the row's end, with readable padding
    // Per group of cells: taps [m_uniformBegin, m_uniformEnd) all carry the
    // cell's entry of m_uniformWeights; the others come from m_edgeWeights,
    // the group's starting at m_edgeOffset (in floats).
    int m_uniformBegin[kGroups] = {};
    int m_uniformEnd[kGroups] = {};
    int m_edgeOffset[kGroups] = {};
    std::vector<float> m_uniformWeights;
    std::vector<float> m_edgeWeights;
    std::vector<int> m_rowTapBegin; // height + 1 offsets into m_rowTaps
    std::vector<RowTap> m_rowTaps;
    std::vector<float> m_rowSums;  // the current source row, per cell
    std::vector<float> m_cellSums; // per output pixel
};

} // namespace rs::detail
