// The decode floor of stage 1's extract (issue 16): reads and fully decodes
// every image file named on standard input once, on all cores, and prints
// wall and CPU seconds. Nothing else: no hashing, no resize, no database.
// tests/bench/stage1_vs_python.sh feeds it the distinct image paths of a
// project (one per line).
//
// It sets malloc up as the realsyn executable does (core/util/batchmalloc.h:
// freed memory kept, huge pages under each thread's heap), and parks the
// OpenBLAS workers that came with OpenCV as extract does (core/util/
// blasthreads.h; before, one spun on the second core through the first
// ~0.1 s of the timed pass), so that the floor has every advantage extract
// has.
//
// Two passes, one line each:
//   codecs=realsyn  the decoders extract uses: PNG through libdeflate and JPEG
//                   through libjpeg-turbo (core/extract/detail, straight to
//                   BGR), anything they decline through cv::imdecode;
//   codecs=opencv   cv::imdecode for every file (libpng + zlib, libjpeg-turbo),
//                   the floor before extract had its own PNG and JPEG paths.

#include "core/extract/detail/bgrimage.h"
#include "core/util/batchmalloc.h"
#include "core/util/blasthreads.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTextStream>
#include <QThreadPool>
#include <QtConcurrent>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <atomic>
#include <cstdio>
#include <sys/resource.h>

namespace {

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

} // namespace

int main(int argc, char **argv)
{
    rs::keepFreedMemoryForReuse();
    rs::preferHugePagesForThisThread();
    rs::parkBlasThreads();
    QCoreApplication app(argc, argv);
    QStringList paths;
    QTextStream in(stdin);
    for (QString line = in.readLine(); !line.isNull(); line = in.readLine())
        if (!line.isEmpty())
            paths << line;
    const auto pass = [&](bool own) {
        std::atomic<qint64> pixels{0}, failed{0};
        QElapsedTimer wall;
        wall.start();
        const double cpu0 = cpuSeconds();
        QtConcurrent::blockingMap(paths, [&](const QString &path) {
            rs::preferHugePagesForThisThread();
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly)) {
                ++failed;
                return;
            }
            const QByteArray data = f.readAll();
            const auto *bytes = reinterpret_cast<const unsigned char *>(data.constData());
            try {
                cv::Mat m;
                if (!own || !(rs::detail::decodePngFast(bytes, size_t(data.size()), m)
                              || rs::detail::decodeJpegFast(bytes, size_t(data.size()), m)))
                    m = cv::imdecode(cv::Mat(1, int(data.size()), CV_8U, const_cast<char *>(data.constData())), cv::IMREAD_UNCHANGED);
                if (m.empty())
                    ++failed;
                else
                    pixels += qint64(m.rows) * m.cols;
            } catch (const std::exception &) {
                ++failed;
            }
        });
        std::printf("decode_floor codecs=%s images=%lld failed=%lld mpx=%.1f threads=%d wall_s=%.3f cpu_s=%.3f\n",
                    own ? "realsyn" : "opencv", qint64(paths.size()), qint64(failed), double(pixels) / 1e6,
                    QThreadPool::globalInstance()->maxThreadCount(), double(wall.nsecsElapsed()) / 1e9, cpuSeconds() - cpu0);
        std::fflush(stdout);
    };
    pass(true);
    pass(false);
    return 0;
}
