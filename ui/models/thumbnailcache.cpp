#include "ui/models/thumbnailcache.h"

#include "core/extract/imageprobe.h"

#include <QDir>
#include <QGuiApplication>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QPointer>
#include <QSaveFile>

#include <cmath>

namespace rs {

namespace {
constexpr size_t kMaxQueue = 256;

// Every thumbnail on one transparent canvas of the grid's icon size,
// centred at the bottom: captions line up whatever the image's shape.
QPixmap framed(const QImage &image, qreal dpr)
{
    QPixmap canvas(QSize(ThumbnailCache::kSide, ThumbnailCache::kSide * 3 / 4) * dpr);
    canvas.fill(Qt::transparent);
    const QImage fitted = image.width() > canvas.width() || image.height() > canvas.height()
                              ? image.scaled(canvas.size(), Qt::KeepAspectRatio, Qt::SmoothTransformation)
                              : image;
    QPainter p(&canvas);
    p.drawImage(QPoint((canvas.width() - fitted.width()) / 2, canvas.height() - fitted.height()), fitted);
    p.end();
    canvas.setDevicePixelRatio(dpr); // drawn in device pixels, laid out in logical ones
    return canvas;
}
} // namespace

ThumbnailCache::ThumbnailCache(QObject *parent) : QObject(parent)
{
    m_pool.setMaxThreadCount(std::max(1, QThread::idealThreadCount() - 1));
    m_memory.setMaxCost(4000); // pixmaps, ~100 kB each at most (×4 at 2×)
    m_dpr = qGuiApp ? qGuiApp->devicePixelRatio() : 1.0;
}

void ThumbnailCache::setDevicePixelRatio(qreal ratio)
{
    if (ratio <= 0 || qFuzzyCompare(ratio, m_dpr))
        return;
    clear();
    m_dpr = ratio;
}

ThumbnailCache::~ThumbnailCache()
{
    m_queue.clear();
    m_pool.waitForDone();
}

void ThumbnailCache::setCacheDir(const QString &dir)
{
    clear();
    m_dir = dir;
}

void ThumbnailCache::clear()
{
    ++m_generation;
    m_queue.clear();
    m_queued.clear();
    m_memory.clear();
    m_failed.clear();
}

QPixmap ThumbnailCache::thumbnail(qint64 id, const QString &path)
{
    if (QPixmap *p = m_memory.object(id))
        return *p;
    if (m_failed.contains(id) || path.isEmpty())
        return {};
    if (m_queued.contains(id)) {
        // Seen again: move it to the front (it is on screen now).
        for (auto it = m_queue.begin(); it != m_queue.end(); ++it)
            if (it->first == id) {
                m_queue.erase(it);
                break;
            }
    }
    m_queue.emplace_front(id, path);
    m_queued.insert(id);
    while (m_queue.size() > kMaxQueue) {
        m_queued.remove(m_queue.back().first);
        m_queue.pop_back();
    }
    pump();
    return {};
}

void ThumbnailCache::pump()
{
    while (!m_queue.empty() && m_inFlight < m_pool.maxThreadCount() * 2) {
        auto [id, path] = m_queue.front();
        m_queue.pop_front();
        ++m_inFlight;
        // One file per ratio: a 1× thumbnail on disk must not be shown blurred on a 2× screen.
        const int side = int(std::lround(kSide * m_dpr));
        const QString suffix = side == kSide ? QStringLiteral(".jpg") : QStringLiteral("@%1.jpg").arg(side);
        const QString file = m_dir.isEmpty() ? QString() : QDir(m_dir).filePath(QString::number(id) + suffix);
        const quint64 generation = m_generation;
        const qreal dpr = m_dpr;
        QPointer<ThumbnailCache> self(this);
        m_pool.start([self, id, path, file, generation, side, dpr]() {
            QImage image;
            QString error;
            if (!file.isEmpty() && QFileInfo::exists(file))
                image.load(file);
            if (image.isNull()) {
                auto decoded = loadImageRgb(path, ProbeOptions{}, side);
                if (!decoded) {
                    error = decoded.error().message;
                } else {
                    image = decoded.value();
                    if (!file.isEmpty()) {
                        QDir().mkpath(QFileInfo(file).absolutePath());
                        QSaveFile out(file);
                        if (out.open(QIODevice::WriteOnly) && image.save(&out, "JPG", 85))
                            out.commit();
                    }
                }
            }
            QMetaObject::invokeMethod(self.data(), [self, id, image, error, generation, dpr]() {
                if (!self)
                    return;
                --self->m_inFlight;
                if (generation == self->m_generation) {
                    self->m_queued.remove(id);
                    if (image.isNull()) {
                        self->m_failed.insert(id, error.isEmpty() ? QStringLiteral("no image") : error);
                        Q_EMIT self->failed(id, self->m_failed.value(id));
                    } else {
                        self->m_memory.insert(id, new QPixmap(framed(image, dpr)), 1);
                        Q_EMIT self->ready(id);
                    }
                }
                self->pump();
            }, Qt::QueuedConnection);
        });
    }
}

} // namespace rs
