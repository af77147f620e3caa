// rs::detail::AreaResize32 against the cv::resize(..., INTER_AREA) call it
// replaces: the perceptual hash is built from these 32x32 bytes, so every
// byte must be OpenCV's, for every size. OpenCV takes three different paths
// (whole-number scales, 2x2 blocks with their own rounding, and the general
// float path, which also serves multiples of 32 whose scale is not exact in
// doubles); the rows below cover each, their edges, and contents that sit on
// rounding boundaries.
#include "core/extract/detail/arearesize.h"

#include <QRandomGenerator>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <vector>

using rs::detail::AreaResize32;

namespace {

enum class Content { Noise, White, Black, Checker, Gradient, HalfWay };

cv::Mat image(int width, int height, Content content, quint32 seed)
{
    cv::Mat m(height, width, CV_8UC3);
    QRandomGenerator rng(seed);
    std::vector<quint32> noise(size_t(width) * 3);
    for (int y = 0; y < height; ++y) {
        uchar *p = m.ptr<uchar>(y);
        rng.fillRange(noise.data(), qsizetype(noise.size()));
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c) {
                const quint32 random = noise[size_t(x) * 3 + c];
                uchar &v = p[x * 3 + c];
                switch (content) {
                case Content::Noise: v = uchar(random); break;
                case Content::White: v = 255; break;
                case Content::Black: v = 0; break;
                case Content::Checker: v = ((x + y + c) & 1) ? 255 : 0; break;
                case Content::Gradient: v = uchar((x * (c + 1) + y * 3) * 255 / (width * (c + 1) + height * 3)); break;
                // Values whose block averages land on .5: half-way cases
                // that separate round-half-even from round-half-up.
                case Content::HalfWay: v = (random & 3) == 0 ? 1 : uchar(random & 2); break;
                }
            }
    }
    return m;
}

// Feeds the rows one by one from buffers of exactly one row, so that a
// sanitizer build catches any read past a row's end.
std::vector<uchar> streamed(const cv::Mat &m, AreaResize32::Kernel kernel)
{
    AreaResize32 resize(m.cols, m.rows, kernel);
    std::vector<uchar> row;
    for (int y = 0; y < m.rows; ++y) {
        row.assign(m.ptr<uchar>(y), m.ptr<uchar>(y) + m.cols * 3);
        if (resize.complete())
            return {};
        resize.addRow(row.data());
    }
    if (!resize.complete())
        return {};
    std::vector<uchar> out(AreaResize32::kOutputBytes);
    resize.result(out.data());
    return out;
}

// Every kernel this CPU can run: each must give OpenCV's bytes.
std::vector<std::pair<AreaResize32::Kernel, const char *>> kernels()
{
    std::vector<std::pair<AreaResize32::Kernel, const char *>> all{{AreaResize32::Kernel::Portable, "portable"}};
    if (AreaResize32::kernelAvailable(AreaResize32::Kernel::Avx2))
        all.emplace_back(AreaResize32::Kernel::Avx2, "avx2");
    return all;
}

// Empty when the bytes are OpenCV's; otherwise where and how they differ.
QByteArray difference(const cv::Mat &m)
{
    cv::Mat reference;
    cv::resize(m, reference, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
    for (const auto &[kernel, kernelName] : kernels()) {
        const std::vector<uchar> mine = streamed(m, kernel);
        if (mine.empty())
            return "complete() out of step with the rows added";
        for (int i = 0; i < AreaResize32::kOutputBytes; ++i)
            if (mine[i] != reference.data[i])
                return QByteArray(kernelName) + " kernel, " + QByteArray::number(m.cols) + "x" +
                       QByteArray::number(m.rows) + ": byte " + QByteArray::number(i) + " is " +
                       QByteArray::number(mine[i]) + ", OpenCV " + QByteArray::number(reference.data[i]);
    }
    return {};
}

} // namespace

class TestAreaResize : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // OpenCV's chunks of rows start their sums afresh: same bytes, but
        // the single-threaded run is the plainer reference.
        cv::setNumThreads(1);
        QByteArray names;
        for (const auto &[kernel, name] : kernels())
            names += (names.isEmpty() ? "" : ", ") + QByteArray(name);
        qInfo("kernels held to cv::resize on this CPU: %s", names.constData());
    }

    void matchesOpenCv_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("content");
        const std::pair<const char *, cv::Size> sizes[] = {
            {"same size (a copy)", {32, 32}},
            {"2x2 blocks (rounding of their own)", {64, 64}},
            {"whole scales", {1024, 768}},
            {"whole scales, 640x480", {640, 480}},
            {"whole scale on one axis only", {1920, 1080}},
            {"scale 1 across", {32, 700}},
            {"scale 1 down", {700, 32}},
            {"just above 32", {33, 33}},
            {"narrow", {37, 1000}},
            {"flat", {1000, 33}},
            {"general", {800, 600}},
            {"49 x 32: scale not exact in doubles", {1568, 1568}},
            {"93 x 32 across", {2976, 300}},
            {"very tall", {32, 20000}},
            {"very wide", {20000, 33}},
            {"large, odd", {3001, 2003}},
        };
        const std::pair<const char *, Content> contents[] = {
            {"noise", Content::Noise},       {"white", Content::White},       {"black", Content::Black},
            {"checker", Content::Checker},   {"gradient", Content::Gradient}, {"half-way", Content::HalfWay},
        };
        for (const auto &[sizeName, size] : sizes)
            for (const auto &[contentName, content] : contents)
                QTest::addRow("%s %dx%d, %s", sizeName, size.width, size.height, contentName)
                    << size.width << size.height << int(content);
    }

    void matchesOpenCv()
    {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, content);
        QVERIFY(AreaResize32::supports(width, height));
        const cv::Mat m = image(width, height, Content(content), quint32(width * 31 + height));
        const QByteArray diff = difference(m);
        QVERIFY2(diff.isEmpty(), diff.constData());
        // With OpenCV's own threading the bytes stay the same.
        cv::setNumThreads(-1);
        const QByteArray threadedDiff = difference(m);
        cv::setNumThreads(1);
        QVERIFY2(threadedDiff.isEmpty(), threadedDiff.constData());
    }

    // Every width and height from 32 to 300 against a few of the other side,
    // and a coarse grid of both: each size lays its cells over the pixels
    // differently.
    void smallSizesMatchOpenCv()
    {
        const int others[] = {32, 33, 64, 101, 257};
        for (int side = 32; side <= 300; ++side)
            for (int other : others) {
                const QByteArray across = difference(image(side, other, Content::Noise, quint32(side)));
                QVERIFY2(across.isEmpty(), across.constData());
                const QByteArray down = difference(image(other, side, Content::HalfWay, quint32(side)));
                QVERIFY2(down.isEmpty(), down.constData());
            }
        for (int width = 32; width <= 300; width += 13)
            for (int height = 32; height <= 300; height += 11) {
                const QByteArray diff = difference(image(width, height, Content::Noise, quint32(width ^ height)));
                QVERIFY2(diff.isEmpty(), diff.constData());
            }
    }

    // Multiples of 32 take the whole-scale path on that axis, and when both
    // sides are multiples the integer path altogether.
    void multiplesOf32MatchOpenCv()
    {
        for (int a = 1; a <= 40; ++a)
            for (int b : {1, 2, 3, 5, 24, 40}) {
                const QByteArray across = difference(image(32 * a, 32 * b, Content::Noise, quint32(a)));
                QVERIFY2(across.isEmpty(), across.constData());
                const QByteArray down = difference(image(32 * b + 7, 32 * a, Content::HalfWay, quint32(b)));
                QVERIFY2(down.isEmpty(), down.constData());
            }
    }

    void feedsRowsInOrder()
    {
        QVERIFY(!AreaResize32::supports(31, 100));
        QVERIFY(!AreaResize32::supports(100, 31));
        QVERIFY(AreaResize32::supports(32, 32));
        QVERIFY(!AreaResize32::supports(0, 0));

        const cv::Mat m = image(50, 40, Content::Noise, 7);
        AreaResize32 resize(m.cols, m.rows);
        for (int y = 0; y < m.rows; ++y) {
            QVERIFY(!resize.complete());
            resize.addRow(m.ptr<uchar>(y));
        }
        QVERIFY(resize.complete());
        // A row past the end changes nothing.
        std::vector<uchar> out(AreaResize32::kOutputBytes);
        resize.result(out.data());
        const std::vector<uchar> white(size_t(m.cols) * 3, 255);
        resize.addRow(white.data());
        std::vector<uchar> again(AreaResize32::kOutputBytes);
        resize.result(again.data());
        QCOMPARE(again, out);
    }
};

QTEST_GUILESS_MAIN(TestAreaResize)
#include "test_arearesize.moc"
