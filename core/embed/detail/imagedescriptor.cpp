#include "core/embed/detail/imagedescriptor.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace rs::detail {

namespace {

constexpr int kMaxSide = 128; // descriptors are computed on a copy that fits this box
constexpr int kMinSide = 8;
constexpr int kHueBins = 8;
constexpr int kSatBins = 3;
constexpr int kValBins = 3;
constexpr int kColourHistLength = kHueBins * kSatBins * kValBins;
constexpr int kLabLength = 6 + 4 * 3;
constexpr int kOrientBins = 8;
constexpr int kGradientLength = 2 * (5 * kOrientBins + 1); // two scales: 1x1 + 2x2 cells, + mean magnitude
constexpr int kLbpBins = 10;
constexpr int kLbpLength = 5 * kLbpBins + kLbpBins; // fine scale 1x1 + 2x2, coarse scale 1x1
constexpr int kEdgeLength = 1 + 9;
constexpr int kLayoutLength = 10;
constexpr int kLength = kColourHistLength + kLabLength + kGradientLength + kLbpLength + kEdgeLength
    + kLayoutLength;

// Cell (gx, gy) of an n x n grid over a w x h image; cells tile the image exactly.
cv::Rect gridCell(int gx, int gy, int n, const cv::Size &size)
{
    const int x0 = gx * size.width / n, x1 = (gx + 1) * size.width / n;
    const int y0 = gy * size.height / n, y1 = (gy + 1) * size.height / n;
    return {x0, y0, std::max(1, x1 - x0), std::max(1, y1 - y0)};
}

// Histograms are compared after a square root (Hellinger mapping): it keeps
// one dominant bin (a white background) from drowning the others.
void writeHellinger(const float *hist, int bins, float *&out)
{
    double sum = 0;
    for (int i = 0; i < bins; ++i)
        sum += hist[i];
    const double inv = sum > 0 ? 1.0 / sum : 0.0;
    for (int i = 0; i < bins; ++i)
        *out++ = float(std::sqrt(hist[i] * inv));
}

// Rotation-invariant uniform LBP label (0..9) of every 8-bit neighbour code.
const std::array<uchar, 256> &lbpTable()
{
    static const std::array<uchar, 256> table = [] {
        std::array<uchar, 256> t{};
        for (int code = 0; code < 256; ++code) {
            int transitions = 0, ones = 0;
            for (int b = 0; b < 8; ++b) {
                const int bit = (code >> b) & 1;
                const int next = (code >> ((b + 1) % 8)) & 1;
                transitions += bit != next;
                ones += bit;
            }
            t[size_t(code)] = uchar(transitions <= 2 ? ones : 9);
        }
        return t;
    }();
    return table;
}

cv::Mat lbpLabels(const cv::Mat &gray)
{
    cv::Mat labels(gray.size(), CV_8U, cv::Scalar(255)); // 255: border pixel, no label
    const auto &table = lbpTable();
    for (int y = 1; y + 1 < gray.rows; ++y) {
        const uchar *up = gray.ptr<uchar>(y - 1);
        const uchar *mid = gray.ptr<uchar>(y);
        const uchar *down = gray.ptr<uchar>(y + 1);
        uchar *dst = labels.ptr<uchar>(y);
        for (int x = 1; x + 1 < gray.cols; ++x) {
            const uchar c = mid[x];
            const int code = (up[x - 1] >= c) | (up[x] >= c) << 1 | (up[x + 1] >= c) << 2
                | (mid[x + 1] >= c) << 3 | (down[x + 1] >= c) << 4 | (down[x] >= c) << 5
                | (down[x - 1] >= c) << 6 | (mid[x - 1] >= c) << 7;
            dst[x] = table[size_t(code)];
        }
    }
    return labels;
}

void writeLbpCell(const cv::Mat &labels, const cv::Rect &cell, float *&out)
{
    float hist[kLbpBins] = {};
    for (int y = cell.y; y < cell.y + cell.height; ++y) {
        const uchar *row = labels.ptr<uchar>(y);
        for (int x = cell.x; x < cell.x + cell.width; ++x)
            if (row[x] < kLbpBins)
                hist[row[x]] += 1.0f;
    }
    writeHellinger(hist, kLbpBins, out);
}

struct GradientStats {
    double flatFraction = 0;    // pixels without any gradient: flat fills of UIs and diagrams
    double axisAlignedShare = 0; // gradient energy on horizontal/vertical edges
};

// Magnitude-weighted orientation histograms (unsigned, 0..pi) on the whole
// image and on a 2x2 grid, then the mean magnitude.
GradientStats writeGradients(const cv::Mat &gray, float *&out)
{
    cv::Mat dx, dy;
    cv::Sobel(gray, dx, CV_32F, 1, 0, 3);
    cv::Sobel(gray, dy, CV_32F, 0, 1, 3);
    float cells[5][kOrientBins] = {};
    double magSum = 0, axisSum = 0;
    qint64 flat = 0;
    const int halfW = gray.cols / 2, halfH = gray.rows / 2;
    for (int y = 0; y < gray.rows; ++y) {
        const float *gx = dx.ptr<float>(y);
        const float *gy = dy.ptr<float>(y);
        const int cy = y < halfH ? 0 : 1;
        for (int x = 0; x < gray.cols; ++x) {
            const float ax = std::abs(gx[x]), ay = std::abs(gy[x]);
            const float mag = std::sqrt(gx[x] * gx[x] + gy[x] * gy[x]);
            if (mag < 1.0f) {
                ++flat;
                continue;
            }
            float angle = std::atan2(gy[x], gx[x]);
            if (angle < 0)
                angle += float(CV_PI);
            const int bin = std::min(kOrientBins - 1, int(angle * (kOrientBins / float(CV_PI))));
            const int cell = 1 + cy * 2 + (x < halfW ? 0 : 1);
            cells[0][bin] += mag;
            cells[cell][bin] += mag;
            magSum += mag;
            if (std::min(ax, ay) < 0.2f * std::max(ax, ay))
                axisSum += mag;
        }
    }
    for (auto &cell : cells)
        writeHellinger(cell, kOrientBins, out);
    const double pixels = double(gray.total());
    *out++ = float(magSum / pixels / 255.0);
    GradientStats stats;
    stats.flatFraction = double(flat) / pixels;
    stats.axisAlignedShare = magSum > 0 ? axisSum / magSum : 0.0;
    return stats;
}

cv::Mat downscaledRgb(const QImage &image)
{
    const QImage rgb = image.format() == QImage::Format_RGB888
        ? image
        : image.convertToFormat(QImage::Format_RGB888);
    // Wraps the QImage's pixels without copying; resize() writes a new buffer.
    const cv::Mat wrapped(rgb.height(), rgb.width(), CV_8UC3, const_cast<uchar *>(rgb.constBits()),
                          size_t(rgb.bytesPerLine()));
    const double scale = std::min(1.0, double(kMaxSide) / std::max(rgb.width(), rgb.height()));
    const cv::Size target(std::max(kMinSide, int(std::lround(rgb.width() * scale))),
                          std::max(kMinSide, int(std::lround(rgb.height() * scale))));
    cv::Mat small;
    cv::resize(wrapped, small, target, 0, 0, scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
    return small;
}

} // namespace

int imageDescriptorLength()
{
    return kLength;
}

bool computeImageDescriptor(const QImage &image, float *out)
{
    if (image.isNull() || image.width() < 1 || image.height() < 1)
        return false;
    float *const begin = out;
    const cv::Mat rgb = downscaledRgb(image);
    const double pixels = double(rgb.total());

    // Colour: joint HSV histogram.
    cv::Mat hsv;
    cv::cvtColor(rgb, hsv, cv::COLOR_RGB2HSV);
    float colourHist[kColourHistLength] = {};
    for (int y = 0; y < hsv.rows; ++y) {
        const cv::Vec3b *row = hsv.ptr<cv::Vec3b>(y);
        for (int x = 0; x < hsv.cols; ++x) {
            const int h = std::min(kHueBins - 1, row[x][0] * kHueBins / 180);
            const int s = row[x][1] * kSatBins / 256;
            const int v = row[x][2] * kValBins / 256;
            colourHist[(h * kSatBins + s) * kValBins + v] += 1.0f;
        }
    }
    writeHellinger(colourHist, kColourHistLength, out);

    // Colour: Lab mean/spread, and where the colour sits (2x2 means).
    cv::Mat lab;
    cv::cvtColor(rgb, lab, cv::COLOR_RGB2Lab);
    cv::Scalar mean, stddev;
    cv::meanStdDev(lab, mean, stddev);
    for (int c = 0; c < 3; ++c) {
        *out++ = float(mean[c] / 255.0);
        *out++ = float(stddev[c] / 255.0);
    }
    for (int gy = 0; gy < 2; ++gy)
        for (int gx = 0; gx < 2; ++gx) {
            const cv::Scalar m = cv::mean(lab(gridCell(gx, gy, 2, lab.size())));
            for (int c = 0; c < 3; ++c)
                *out++ = float(m[c] / 255.0);
        }

    // Texture: gradients at two scales, LBP.
    cv::Mat gray, coarse;
    cv::cvtColor(rgb, gray, cv::COLOR_RGB2GRAY);
    if (std::min(gray.rows, gray.cols) >= 2 * kMinSide)
        cv::pyrDown(gray, coarse);
    else
        coarse = gray;
    const GradientStats fineStats = writeGradients(gray, out);
    writeGradients(coarse, out);

    const cv::Mat fineLbp = lbpLabels(gray);
    writeLbpCell(fineLbp, cv::Rect(0, 0, gray.cols, gray.rows), out);
    for (int gy = 0; gy < 2; ++gy)
        for (int gx = 0; gx < 2; ++gx)
            writeLbpCell(fineLbp, gridCell(gx, gy, 2, gray.size()), out);
    writeLbpCell(lbpLabels(coarse), cv::Rect(0, 0, coarse.cols, coarse.rows), out);

    // Edges: density overall and on a 3x3 grid (where the content is).
    cv::Mat edges;
    cv::Canny(gray, edges, 50, 150);
    *out++ = float(cv::countNonZero(edges) / pixels);
    for (int gy = 0; gy < 3; ++gy)
        for (int gx = 0; gx < 3; ++gx) {
            const cv::Rect cell = gridCell(gx, gy, 3, edges.size());
            *out++ = float(cv::countNonZero(edges(cell)) / double(cell.area()));
        }

    // Layout: screenshots and diagrams have few colours, flat fills, white
    // or black backgrounds and axis-aligned edges; photos have none of these.
    std::vector<int> palette(4096, 0);
    qint64 white = 0, black = 0;
    double rgSum = 0, rgSq = 0, ybSum = 0, ybSq = 0;
    for (int y = 0; y < rgb.rows; ++y) {
        const cv::Vec3b *row = rgb.ptr<cv::Vec3b>(y);
        for (int x = 0; x < rgb.cols; ++x) {
            const int r = row[x][0], g = row[x][1], b = row[x][2];
            ++palette[size_t((r >> 4) << 8 | (g >> 4) << 4 | (b >> 4))];
            white += r > 235 && g > 235 && b > 235;
            black += r < 20 && g < 20 && b < 20;
            const double rg = r - g, yb = 0.5 * (r + g) - b;
            rgSum += rg;
            rgSq += rg * rg;
            ybSum += yb;
            ybSq += yb * yb;
        }
    }
    const int topColour = *std::max_element(palette.begin(), palette.end());
    const qint64 minShare = std::max<qint64>(1, qint64(pixels / 1000));
    const auto usedColours = std::count_if(palette.begin(), palette.end(),
                                           [&](int c) { return c >= minShare; });
    const double rgMean = rgSum / pixels, ybMean = ybSum / pixels;
    const double rgVar = std::max(0.0, rgSq / pixels - rgMean * rgMean);
    const double ybVar = std::max(0.0, ybSq / pixels - ybMean * ybMean);
    const double colourfulness = std::sqrt(rgVar + ybVar) + 0.3 * std::hypot(rgMean, ybMean);

    float grayHist[32] = {};
    for (int y = 0; y < gray.rows; ++y) {
        const uchar *row = gray.ptr<uchar>(y);
        for (int x = 0; x < gray.cols; ++x)
            grayHist[row[x] >> 3] += 1.0f;
    }
    double entropy = 0;
    for (float count : grayHist)
        if (count > 0) {
            const double p = count / pixels;
            entropy -= p * std::log2(p);
        }

    *out++ = float(std::clamp(std::log(double(image.width()) / image.height()), -3.0, 3.0));
    *out++ = float(std::log10(double(image.width()) * image.height()));
    *out++ = float(white / pixels);
    *out++ = float(black / pixels);
    *out++ = float(topColour / pixels);
    *out++ = float(std::log1p(double(usedColours)) / std::log(4097.0));
    *out++ = float(colourfulness / 100.0);
    *out++ = float(entropy / 5.0);
    *out++ = float(fineStats.flatFraction);
    *out++ = float(fineStats.axisAlignedShare);

    if (out - begin != kLength)
        throw std::logic_error("image descriptor layout mismatch");
    return true;
}

} // namespace rs::detail
