#include "plugins/expert_tesseract/textlikeness.h"

#include "core/util/unionfind.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <vector>

namespace rs {

namespace {
// Tuned on 100 GIMP example photos and 95 GIMP dialog screenshots (see
// textlikeness.h for the resulting hit rates).
constexpr double kContrast = 25;       // grey levels between ink and local mean
constexpr double kHeightRatio = 1.5;   // neighbours' heights differ by at most this factor
constexpr double kMaxGap = 0.8;        // horizontal gap, in heights
constexpr double kCentreTol = 0.35;    // vertical centre offset, in heights
constexpr double kAlignTol = 0.2;      // top or bottom offset, in heights
constexpr int kMinChainLength = 3;
constexpr double kMaxBackgroundStd = 18; // grey levels; text sits on a flat background

struct Blob {
    int x, y, w, h;
    int polarity; // 0 dark ink, 1 bright ink
};

void collectBlobs(const cv::Mat &binary, int polarity, std::vector<Blob> &out)
{
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(binary, labels, stats, centroids, 8, CV_32S);
    for (int i = 1; i < n; ++i) {
        const int w = stats.at<int>(i, cv::CC_STAT_WIDTH);
        const int h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
        const int area = stats.at<int>(i, cv::CC_STAT_AREA);
        if (h < 5 || h > 80 || w > 3 * h)
            continue;
        const double fill = double(area) / (double(w) * h);
        if (fill < 0.08 || fill > 0.95)
            continue;
        out.push_back({stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP), w, h, polarity});
    }
}

} // namespace

TextLikeness measureTextLikeness(const QImage &gray)
{
    TextLikeness result;
    if (gray.isNull() || gray.format() != QImage::Format_Grayscale8 || gray.width() < 3 || gray.height() < 3)
        return result;

    cv::Mat src(gray.height(), gray.width(), CV_8UC1, const_cast<uchar *>(gray.constBits()), size_t(gray.bytesPerLine()));
    int factor = 1;
    cv::Mat work = src;
    // Very large images: measure a 2x downscale (heights are scaled back).
    if (double(gray.width()) * gray.height() > 12e6) {
        factor = 2;
        cv::resize(src, work, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
    }

    std::vector<Blob> blobs;
    cv::Mat ink[2];
    // Dark ink: pixel <= local mean - C; bright ink: pixel > local mean + C.
    cv::adaptiveThreshold(work, ink[0], 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV, 15, kContrast);
    collectBlobs(ink[0], 0, blobs);
    cv::adaptiveThreshold(work, ink[1], 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY, 15, -kContrast);
    collectBlobs(ink[1], 1, blobs);
    if (blobs.size() < 3)
        return result;

    std::sort(blobs.begin(), blobs.end(), [](const Blob &a, const Blob &b) { return a.x < b.x; });
    UnionFind sets(int(blobs.size()));
    for (size_t i = 0; i < blobs.size(); ++i) {
        const Blob &a = blobs[i];
        const double acy = a.y + a.h / 2.0;
        for (size_t j = i + 1; j < blobs.size(); ++j) {
            const Blob &b = blobs[j];
            // Sorted by left edge: once b starts beyond the widest allowed gap
            // after a, no later blob can be a's right-hand neighbour.
            if (b.x > a.x + a.w + 80)
                break;
            if (a.polarity != b.polarity)
                continue;
            const int hmax = std::max(a.h, b.h);
            const int hmin = std::min(a.h, b.h);
            if (hmax > kHeightRatio * hmin)
                continue;
            const int gap = b.x - (a.x + a.w);
            if (gap > kMaxGap * hmax || gap < -hmin / 2)
                continue;
            if (std::abs(acy - (b.y + b.h / 2.0)) > kCentreTol * hmax)
                continue;
            // Letters of a line share a baseline or a top line (ascenders and
            // descenders move only one of them).
            const int topDiff = std::abs(a.y - b.y);
            const int bottomDiff = std::abs((a.y + a.h) - (b.y + b.h));
            if (std::min(topDiff, bottomDiff) > kAlignTol * hmax)
                continue;
            sets.unite(int(i), int(j));
        }
    }

    std::map<int, std::vector<int>> chains;
    for (size_t i = 0; i < blobs.size(); ++i)
        chains[sets.find(int(i))].push_back(int(i));
    std::vector<int> heights;
    for (const auto &[root, members] : chains) {
        if (int(members.size()) < kMinChainLength)
            continue;
        cv::Rect box(blobs[members[0]].x, blobs[members[0]].y, blobs[members[0]].w, blobs[members[0]].h);
        for (int m : members)
            box |= cv::Rect(blobs[m].x, blobs[m].y, blobs[m].w, blobs[m].h);
        const cv::Mat bgMask = ink[blobs[members[0]].polarity](box) == 0;
        cv::Scalar mean, stddev;
        cv::meanStdDev(work(box), mean, stddev, bgMask);
        // Texture (foliage, carvings, brick) also forms rows of blobs, but the
        // pixels between them vary; around letters they are nearly flat.
        if (stddev[0] > kMaxBackgroundStd)
            continue;
        for (int m : members)
            heights.push_back(blobs[m].h * factor);
    }
    result.chainedComponents = int(heights.size());
    if (!heights.empty()) {
        std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
        result.medianHeight = heights[heights.size() / 2];
    }
    return result;
}

} // namespace rs
