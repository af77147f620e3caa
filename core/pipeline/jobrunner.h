#pragma once
// JobRunner: runs one job at a time on a worker thread (a QRunnable in the
// runner's own single-thread QThreadPool) and reports back on the thread
// that owns the runner (the GUI thread), through an event loop there.
//
// A job is plain synchronous code: Status(ProjectStore *, JobContext &).
// When a connection factory is set, the worker opens its own ProjectStore
// connection with it before the job starts and closes it afterwards (a
// QSqlDatabase connection is usable only on the thread that opened it);
// without one the job receives nullptr.
//
// Signals are throttled: progress and batched issues are emitted at most
// every throttleMs() (default 50 ms, i.e. <= 20 per second) from a timer on
// the owner thread, whatever the worker reports. finished() is always the
// last signal of a job and comes exactly once.
//
// Thread-safety: every public member is for the owner thread only; the
// worker touches only the shared state behind m_shared.

#include "core/util/jobcontext.h"
#include "core/util/result.h"

#include <QElapsedTimer>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QTimer>
#include <QVector>

#include <functional>
#include <memory>

namespace rs {

class ProjectStore;

struct JobProgress {
    QString job;       // the name given to start()
    qint64 done = 0;
    qint64 total = 0;  // 0 = unknown
    QString what;      // the stage's own text ("probing images")
    double rate = 0;   // items per second over the current phase (same `what` and `total`)
    double etaSeconds = -1; // -1 = unknown
};

class JobRunner : public QObject {
    Q_OBJECT
public:
    using Job = std::function<Status(ProjectStore *store, JobContext &ctx)>;
    using ConnectionFactory = std::function<Result<std::unique_ptr<ProjectStore>>()>;

    explicit JobRunner(QObject *parent = nullptr);
    // Cancels a running job and waits for it to stop.
    ~JobRunner() override;

    // Called on the worker thread before each job (see the header comment).
    void setConnectionFactory(ConnectionFactory factory);
    void setThrottleMs(int ms);
    int throttleMs() const { return m_timer.interval(); }

    // Starts `job` unless one is running (then returns false, nothing starts).
    bool start(const QString &name, Job job);
    bool isRunning() const { return m_running; }
    QString currentJob() const { return m_current; }
    // Asks the running job to stop at its next batch boundary.
    void cancel();
    // Blocks the owner thread until the worker is done (tests, shutdown);
    // pending signals are still delivered by the event loop afterwards.
    bool waitForDone(int msecs = -1);

Q_SIGNALS:
    void started(const QString &job);
    void progress(const rs::JobProgress &progress);
    void issues(const QVector<rs::JobIssue> &issues);
    // status is ok, or the job's error (ErrorCode::Canceled after cancel()).
    void finished(const QString &job, const rs::Status &status, qint64 elapsedMs);

private:
    struct Shared;
    void flush();
    void onWorkerDone(quint64 serial, const Status &status);

    QThreadPool m_pool;
    QTimer m_timer;
    ConnectionFactory m_factory;
    std::shared_ptr<Shared> m_shared;
    QString m_current;
    bool m_running = false;
    quint64 m_serial = 0;
    QElapsedTimer m_clock;
    // Rate estimate of the current phase.
    QString m_phaseWhat;
    qint64 m_phaseTotal = -1, m_phaseStartDone = 0, m_phaseStartMs = 0;
    qint64 m_lastDone = -1;
};

} // namespace rs

Q_DECLARE_METATYPE(rs::JobProgress)
Q_DECLARE_METATYPE(rs::JobIssue)
Q_DECLARE_METATYPE(rs::Status)
