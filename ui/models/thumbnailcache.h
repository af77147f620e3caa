#pragma once
// ThumbnailCache: small previews of project images, made off the GUI thread
// with the core's guarded decoder (loadImageRgb) and kept on disk in
// <project>/thumbnails/<id>.jpg, plus an in-memory LRU of pixmaps.
//
// Requests are served newest first (what the user scrolled to last is what
// is on screen) and the queue is bounded: scrolling fast through 100k items
// drops the requests for rows long gone instead of decoding them all.
//
// Threads: GUI thread only; decoding runs in the cache's own pool.

#include <QCache>
#include <QHash>
#include <QObject>
#include <QPixmap>
#include <QSet>
#include <QThreadPool>

#include <deque>

namespace rs {

class ThumbnailCache : public QObject {
    Q_OBJECT
public:
    static constexpr int kSide = 160; // longer side of a thumbnail, device-independent pixels

    explicit ThumbnailCache(QObject *parent = nullptr);
    ~ThumbnailCache() override;

    // Where thumbnails are kept on disk (created on demand); empty = memory only.
    void setCacheDir(const QString &dir);
    void clear();
    // Thumbnails are decoded at kSide × ratio device pixels and carry the
    // ratio, so a 2× screen shows them crisp instead of upscaled. Defaults
    // to the application's ratio; changing it clears the cache.
    void setDevicePixelRatio(qreal ratio);
    qreal devicePixelRatio() const { return m_dpr; }

    // The thumbnail if it is in memory; otherwise null, and a request is
    // queued (ready() or failed() follows).
    QPixmap thumbnail(qint64 id, const QString &path);
    // Why the image has no thumbnail, if it failed.
    QString failure(qint64 id) const { return m_failed.value(id); }
    int pending() const { return int(m_queue.size()) + m_inFlight; }

Q_SIGNALS:
    void ready(qint64 id);
    void failed(qint64 id, const QString &reason);

private:
    void pump();

    QString m_dir;
    qreal m_dpr = 1;
    QThreadPool m_pool;
    QCache<qint64, QPixmap> m_memory;
    QHash<qint64, QString> m_failed;
    std::deque<std::pair<qint64, QString>> m_queue;
    QSet<qint64> m_queued;
    int m_inFlight = 0;
    quint64 m_generation = 0;
};

} // namespace rs
