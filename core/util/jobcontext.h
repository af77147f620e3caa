#pragma once
// Per-run state handed to every stage: progress reporting, cancellation and
// the issue sink. Stages are plain synchronous code; they call progress()
// between batches and stop at the next batch boundary once isCanceled().
//
// Thread-safety: progress(), report() and isCanceled() may be called from
// any thread; the callbacks are invoked on the calling thread, so the owner
// (CLI printer, GUI job runner) must marshal them itself.

#include <QString>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

namespace rs {

enum class Severity { Info, Warning, Error };

struct JobIssue {
    Severity severity = Severity::Warning;
    QString text;
    qint64 itemId = -1;   // image or sentence id when the issue is about one sample
    QString context;      // e.g. a path or document key
};

class JobContext {
public:
    using ProgressFn = std::function<void(qint64 done, qint64 total, const QString &what)>;
    using IssueFn = std::function<void(const JobIssue &)>;

    JobContext() = default;
    JobContext(ProgressFn progress, IssueFn issue)
        : m_progress(std::move(progress)), m_issue(std::move(issue)) {}

    void progress(qint64 done, qint64 total, const QString &what) const
    {
        if (m_progress) {
            std::lock_guard lock(m_mutex);
            m_progress(done, total, what);
        }
    }
    void report(const JobIssue &issue) const
    {
        if (m_issue) {
            std::lock_guard lock(m_mutex);
            m_issue(issue);
        }
    }
    void warn(const QString &text, const QString &context = {}, qint64 itemId = -1) const
    {
        report(JobIssue{Severity::Warning, text, itemId, context});
    }

    bool isCanceled() const { return m_canceled.load(std::memory_order_relaxed); }
    void cancel() { m_canceled.store(true, std::memory_order_relaxed); }
    // For signal handlers, which may only touch lock-free atomics.
    std::atomic<bool> *cancelFlag() { return &m_canceled; }

    // Worker threads the stage may use (0 = all hardware threads).
    int threads() const { return m_threads; }
    void setThreads(int n) { m_threads = n; }

private:
    ProgressFn m_progress;
    IssueFn m_issue;
    mutable std::mutex m_mutex;
    std::atomic<bool> m_canceled{false};
    int m_threads = 0;
};

} // namespace rs
