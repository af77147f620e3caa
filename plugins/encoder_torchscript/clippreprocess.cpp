#include "plugins/encoder_torchscript/clippreprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace rs {

namespace {

// PIL keeps 8-bit resampling in fixed point; matching its rounding (not just
// its filter) is what makes the output identical to CLIP's reference.
constexpr int kPrecisionBits = 32 - 8 - 2;
constexpr double kBicubicSupport = 2.0;

double bicubic(double x)
{
    constexpr double a = -0.5; // PIL's choice; OpenCV and torch (no antialias) use -0.75
    x = std::abs(x);
    if (x < 1.0)
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    if (x < 2.0)
        return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    return 0.0;
}

// Taps of one output pixel along one axis.
struct Taps {
    int first = 0;
    std::vector<int32_t> weights;
};

std::vector<Taps> computeTaps(int inSize, int outSize)
{
    const double scale = double(inSize) / outSize;
    const double filterScale = std::max(scale, 1.0); // widen the kernel when shrinking
    const double support = kBicubicSupport * filterScale;
    std::vector<Taps> taps(static_cast<size_t>(outSize));
    std::vector<double> w;
    for (int i = 0; i < outSize; ++i) {
        const double center = (i + 0.5) * scale;
        // Truncation (not floor) as in PIL; both ends are clamped afterwards.
        const int lo = std::max(int(center - support + 0.5), 0);
        const int hi = std::min(int(center + support + 0.5), inSize);
        w.assign(size_t(std::max(hi - lo, 0)), 0.0);
        double sum = 0.0;
        for (int x = 0; x < hi - lo; ++x) {
            w[size_t(x)] = bicubic((x + lo - center + 0.5) / filterScale);
            sum += w[size_t(x)];
        }
        Taps &t = taps[size_t(i)];
        t.first = lo;
        t.weights.resize(w.size());
        for (size_t x = 0; x < w.size(); ++x) {
            const double k = (sum != 0.0 ? w[x] / sum : w[x]) * double(1 << kPrecisionBits);
            t.weights[x] = int32_t(k < 0 ? k - 0.5 : k + 0.5);
        }
    }
    return taps;
}

inline uint8_t clip8(int64_t acc)
{
    const int64_t v = acc >> kPrecisionBits;
    return uint8_t(std::clamp<int64_t>(v, 0, 255));
}

QImage horizontalPass(const QImage &in, int outWidth)
{
    const std::vector<Taps> taps = computeTaps(in.width(), outWidth);
    QImage out(outWidth, in.height(), QImage::Format_RGB888);
    for (int y = 0; y < in.height(); ++y) {
        const uchar *src = in.constScanLine(y);
        uchar *dst = out.scanLine(y);
        for (int x = 0; x < outWidth; ++x) {
            const Taps &t = taps[size_t(x)];
            int64_t acc[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1)};
            const uchar *p = src + 3 * t.first;
            for (size_t k = 0; k < t.weights.size(); ++k, p += 3) {
                acc[0] += int64_t(p[0]) * t.weights[k];
                acc[1] += int64_t(p[1]) * t.weights[k];
                acc[2] += int64_t(p[2]) * t.weights[k];
            }
            dst[3 * x + 0] = clip8(acc[0]);
            dst[3 * x + 1] = clip8(acc[1]);
            dst[3 * x + 2] = clip8(acc[2]);
        }
    }
    return out;
}

QImage verticalPass(const QImage &in, int outHeight)
{
    const std::vector<Taps> taps = computeTaps(in.height(), outHeight);
    const int rowBytes = 3 * in.width();
    QImage out(in.width(), outHeight, QImage::Format_RGB888);
    std::vector<int64_t> acc(static_cast<size_t>(rowBytes));
    for (int y = 0; y < outHeight; ++y) {
        const Taps &t = taps[size_t(y)];
        std::fill(acc.begin(), acc.end(), int64_t(1) << (kPrecisionBits - 1));
        // Row-wise accumulation walks memory in order, unlike PIL's column loop;
        // the sums are the same integers.
        for (size_t k = 0; k < t.weights.size(); ++k) {
            const uchar *src = in.constScanLine(t.first + int(k));
            const int64_t w = t.weights[k];
            for (int i = 0; i < rowBytes; ++i)
                acc[size_t(i)] += int64_t(src[i]) * w;
        }
        uchar *dst = out.scanLine(y);
        for (int i = 0; i < rowBytes; ++i)
            dst[i] = clip8(acc[size_t(i)]);
    }
    return out;
}

} // namespace

ClipPreprocess::ClipPreprocess(const ClipPreprocessConfig &config) : m_config(config) {}

QImage ClipPreprocess::resizeBicubic(const QImage &rgb888, int width, int height)
{
    QImage img = rgb888.format() == QImage::Format_RGB888 ? rgb888 : rgb888.convertToFormat(QImage::Format_RGB888);
    if (img.isNull() || width <= 0 || height <= 0)
        return {};
    // PIL skips a pass whose size does not change; so do we, which keeps
    // already-square inputs byte-identical.
    if (img.width() != width)
        img = horizontalPass(img, width);
    if (img.height() != height)
        img = verticalPass(img, height);
    return img;
}

QImage ClipPreprocess::resizeShorterSide(const QImage &image, int size)
{
    const int w = image.width();
    const int h = image.height();
    if (image.isNull() || size <= 0)
        return {};
    // torchvision: the short side becomes `size`, the long side int(size * long / short).
    int outW = size, outH = size;
    if (w <= h)
        outH = int(double(size) * h / w);
    else
        outW = int(double(size) * w / h);
    return resizeBicubic(image, outW, outH);
}

QImage ClipPreprocess::centerCrop(const QImage &image, int size)
{
    if (image.isNull())
        return {};
    QImage img = image.format() == QImage::Format_RGB888 ? image : image.convertToFormat(QImage::Format_RGB888);
    if (img.width() < size || img.height() < size) {
        // torchvision pads with zeros first; only reachable when a caller
        // skips the resize.
        QImage padded(std::max(size, img.width()), std::max(size, img.height()), QImage::Format_RGB888);
        padded.fill(Qt::black);
        const int left = (padded.width() - img.width()) / 2;
        const int top = (padded.height() - img.height()) / 2;
        for (int y = 0; y < img.height(); ++y)
            std::copy_n(img.constScanLine(y), 3 * img.width(), padded.scanLine(y + top) + 3 * left);
        img = padded;
    }
    // Python's round() (half to even), which std::nearbyint gives under the
    // default rounding mode.
    const int top = int(std::nearbyint((img.height() - size) / 2.0));
    const int left = int(std::nearbyint((img.width() - size) / 2.0));
    return img.copy(left, top, size, size);
}

bool ClipPreprocess::run(const QImage &image, float *out) const
{
    const int s = m_config.imageSize;
    if (image.isNull() || image.width() <= 0 || image.height() <= 0) {
        std::fill_n(out, floatsPerImage(), 0.0f);
        return false;
    }
    const QImage crop = centerCrop(resizeShorterSide(image, s), s);
    const qsizetype plane = qsizetype(s) * s;
    // A 256-entry table per channel, computed in the same float order as
    // ToTensor + Normalize, so results equal torchvision's to the last bit.
    float lut[3][256];
    for (int c = 0; c < 3; ++c)
        for (int v = 0; v < 256; ++v)
            lut[c][v] = (float(v) / 255.0f - m_config.mean[size_t(c)]) / m_config.std[size_t(c)];
    for (int y = 0; y < s; ++y) {
        const uchar *row = crop.constScanLine(y);
        for (int x = 0; x < s; ++x) {
            const qsizetype i = qsizetype(y) * s + x;
            for (int c = 0; c < 3; ++c)
                out[c * plane + i] = lut[c][row[3 * x + c]];
        }
    }
    return true;
}

} // namespace rs
