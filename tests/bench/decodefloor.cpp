// The decode floor of stage 1's extract (issue 16): reads and fully decodes
// every image file named on standard input once, with the codecs extract uses
// (OpenCV's imdecode: libpng, libjpeg-turbo, ...), on all cores, and prints
// wall and CPU seconds. Nothing else: no hashing, no colour conversion, no
// database. tests/bench/stage1_vs_python.sh feeds it the distinct image paths
// of a project (one per line).

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
    QCoreApplication app(argc, argv);
    QStringList paths;
    QTextStream in(stdin);
    for (QString line = in.readLine(); !line.isNull(); line = in.readLine())
        if (!line.isEmpty())
            paths << line;
    std::atomic<qint64> pixels{0}, failed{0};
    QElapsedTimer wall;
    wall.start();
    const double cpu0 = cpuSeconds();
    QtConcurrent::blockingMap(paths, [&](const QString &path) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            ++failed;
            return;
        }
        const QByteArray data = f.readAll();
        const cv::Mat buf(1, int(data.size()), CV_8U, const_cast<char *>(data.constData()));
        try {
            const cv::Mat m = cv::imdecode(buf, cv::IMREAD_UNCHANGED);
            if (m.empty())
                ++failed;
            else
                pixels += qint64(m.rows) * m.cols;
        } catch (const std::exception &) {
            ++failed;
        }
    });
    std::printf("decode_floor images=%lld failed=%lld mpx=%.1f threads=%d wall_s=%.3f cpu_s=%.3f\n", qint64(paths.size()),
                qint64(failed), double(pixels) / 1e6, QThreadPool::globalInstance()->maxThreadCount(), double(wall.nsecsElapsed()) / 1e9,
                cpuSeconds() - cpu0);
    return 0;
}
