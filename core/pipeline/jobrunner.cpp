#include "core/pipeline/jobrunner.h"

#include "core/store/projectstore.h"

#include <QPointer>
#include <QRunnable>

#include <exception>
#include <mutex>

namespace rs {

// What the worker writes and the owner's timer reads.
struct JobRunner::Shared {
    std::mutex mutex;
    qint64 done = 0, total = 0;
    QString what;
    bool dirty = false;
    QVector<JobIssue> issues;
    JobContext *ctx = nullptr; // valid while the worker runs; guarded by mutex
    bool cancelRequested = false;
};

JobRunner::JobRunner(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<JobProgress>();
    qRegisterMetaType<JobIssue>();
    qRegisterMetaType<QVector<JobIssue>>();
    qRegisterMetaType<Status>();
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(-1);
    m_timer.setInterval(50);
    connect(&m_timer, &QTimer::timeout, this, &JobRunner::flush);
}

JobRunner::~JobRunner()
{
    cancel();
    m_pool.waitForDone();
}

void JobRunner::setConnectionFactory(ConnectionFactory factory)
{
    m_factory = std::move(factory);
}

void JobRunner::setThrottleMs(int ms)
{
    m_timer.setInterval(std::max(1, ms));
}

bool JobRunner::start(const QString &name, Job job)
{
    if (m_running)
        return false;
    m_running = true;
    m_current = name;
    const quint64 serial = ++m_serial;
    m_shared = std::make_shared<Shared>();
    m_phaseWhat.clear();
    m_phaseTotal = -1;
    m_lastDone = -1;
    m_clock.start();

    auto shared = m_shared;
    ConnectionFactory factory = m_factory;
    QPointer<JobRunner> self(this);
    QRunnable *task = QRunnable::create([shared, factory, job = std::move(job), self, serial]() {
        JobContext ctx(
            [shared](qint64 done, qint64 total, const QString &what) {
                std::lock_guard lock(shared->mutex);
                shared->done = done;
                shared->total = total;
                shared->what = what;
                shared->dirty = true;
            },
            [shared](const JobIssue &issue) {
                std::lock_guard lock(shared->mutex);
                // A runaway stage must not grow the queue without bound
                // between two flushes; the store's issue log keeps them all.
                if (shared->issues.size() < 10000)
                    shared->issues.push_back(issue);
            });
        {
            std::lock_guard lock(shared->mutex);
            shared->ctx = &ctx;
            if (shared->cancelRequested)
                ctx.cancel();
        }
        Status status;
        try {
            std::unique_ptr<ProjectStore> store;
            if (factory) {
                auto opened = factory();
                if (!opened)
                    status = opened.error();
                else
                    store = std::move(opened.value());
            }
            if (status)
                status = job(store.get(), ctx);
            if (status && ctx.isCanceled())
                status = makeError(ErrorCode::Canceled, QStringLiteral("canceled"));
        } catch (const std::exception &e) {
            status = makeError(ErrorCode::Internal, QString::fromUtf8(e.what()));
        } catch (...) {
            status = makeError(ErrorCode::Internal, QStringLiteral("unknown exception in job"));
        }
        {
            std::lock_guard lock(shared->mutex);
            shared->ctx = nullptr;
        }
        if (self)
            QMetaObject::invokeMethod(self.data(), [self, serial, status]() {
                if (self)
                    self->onWorkerDone(serial, status);
            }, Qt::QueuedConnection);
    });
    m_timer.start();
    Q_EMIT started(name);
    m_pool.start(task);
    return true;
}

void JobRunner::cancel()
{
    if (!m_shared)
        return;
    std::lock_guard lock(m_shared->mutex);
    m_shared->cancelRequested = true;
    if (m_shared->ctx)
        m_shared->ctx->cancel();
}

bool JobRunner::waitForDone(int msecs)
{
    return m_pool.waitForDone(msecs);
}

void JobRunner::flush()
{
    if (!m_shared)
        return;
    JobProgress p;
    bool dirty = false;
    QVector<JobIssue> issues;
    {
        std::lock_guard lock(m_shared->mutex);
        dirty = m_shared->dirty;
        m_shared->dirty = false;
        p.done = m_shared->done;
        p.total = m_shared->total;
        p.what = m_shared->what;
        issues.swap(m_shared->issues);
    }
    if (!issues.isEmpty())
        Q_EMIT this->issues(issues);
    if (!dirty)
        return;
    p.job = m_current;
    const qint64 now = m_clock.elapsed();
    // A new phase (another text or total, or the count went backwards)
    // restarts the rate: probing and deciding run at very different speeds.
    if (p.what != m_phaseWhat || p.total != m_phaseTotal || p.done < m_lastDone) {
        m_phaseWhat = p.what;
        m_phaseTotal = p.total;
        m_phaseStartDone = p.done;
        m_phaseStartMs = now;
    }
    m_lastDone = p.done;
    const double seconds = (now - m_phaseStartMs) / 1000.0;
    if (seconds > 0.2 && p.done > m_phaseStartDone) {
        p.rate = (p.done - m_phaseStartDone) / seconds;
        if (p.total > 0 && p.rate > 0)
            p.etaSeconds = std::max<double>(0, p.total - p.done) / p.rate;
    }
    Q_EMIT progress(p);
}

void JobRunner::onWorkerDone(quint64 serial, const Status &status)
{
    if (serial != m_serial)
        return;
    flush(); // last progress and issues before finished()
    m_timer.stop();
    m_running = false;
    const QString name = m_current;
    const qint64 elapsed = m_clock.elapsed();
    m_shared.reset();
    Q_EMIT finished(name, status, elapsed);
}

} // namespace rs
