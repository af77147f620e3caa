// JobRunner: jobs run off the owner thread, progress is throttled and
// carries rate/ETA, cancel stops at the next batch, failures and exceptions
// come back as errors, one job at a time, and the worker gets its own store
// connection.

#include "core/pipeline/jobrunner.h"
#include "core/store/projectstore.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <stdexcept>

using namespace rs;

class TestJobRunner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { qRegisterMetaType<Status>(); }

    void runsOffThreadWithThrottledProgress()
    {
        JobRunner runner;
        runner.setThrottleMs(50);
        QSignalSpy progress(&runner, &JobRunner::progress);
        QSignalSpy finished(&runner, &JobRunner::finished);
        QThread *owner = QThread::currentThread();
        std::atomic<bool> offThread{false};
        QVERIFY(runner.start(QStringLiteral("count"), [&](ProjectStore *store, JobContext &ctx) -> Status {
            offThread = QThread::currentThread() != owner && store == nullptr;
            for (int i = 1; i <= 4000; ++i) {
                ctx.progress(i, 4000, QStringLiteral("counting"));
                if (i % 100 == 0)
                    QThread::usleep(10000); // 40 batches, ~0.4 s in all
            }
            return {};
        }));
        QVERIFY(runner.isRunning());
        QVERIFY(!runner.start(QStringLiteral("second"), [](ProjectStore *, JobContext &) -> Status { return {}; }));
        QVERIFY(finished.wait(10000));
        QVERIFY(offThread);
        QCOMPARE(finished.first().at(0).toString(), QStringLiteral("count"));
        QVERIFY(finished.first().at(1).value<Status>().ok());
        // 4000 progress calls became at most ~20 per second (plus the final flush).
        QVERIFY2(progress.size() >= 2 && progress.size() < 40, qPrintable(QString::number(progress.size())));
        const auto last = progress.last().at(0).value<JobProgress>();
        QCOMPARE(last.done, 4000);
        QCOMPARE(last.total, 4000);
        QCOMPARE(last.what, QStringLiteral("counting"));
        bool sawRate = false;
        for (const auto &args : progress) {
            const auto p = args.at(0).value<JobProgress>();
            if (p.rate > 0 && p.done < p.total) {
                sawRate = true;
                QVERIFY(p.etaSeconds >= 0 && p.etaSeconds < 60);
            }
        }
        QVERIFY(sawRate);
        QVERIFY(!runner.isRunning());
    }

    void cancelStopsAtNextBatch()
    {
        JobRunner runner;
        QSignalSpy finished(&runner, &JobRunner::finished);
        std::atomic<int> batches{0};
        QVERIFY(runner.start(QStringLiteral("long"), [&](ProjectStore *, JobContext &ctx) -> Status {
            while (!ctx.isCanceled()) {
                ++batches;
                QThread::msleep(5);
                if (batches > 2000)
                    return makeError(ErrorCode::Internal, QStringLiteral("never canceled"));
            }
            return makeError(ErrorCode::Canceled, QStringLiteral("stopped"));
        }));
        QTest::qWait(50);
        runner.cancel();
        QVERIFY(finished.wait(5000));
        const Status s = finished.first().at(1).value<Status>();
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Canceled);
        QVERIFY(batches < 2000);
    }

    void cancelBeforeWorkerStarts()
    {
        JobRunner runner;
        QSignalSpy finished(&runner, &JobRunner::finished);
        QVERIFY(runner.start(QStringLiteral("x"), [](ProjectStore *, JobContext &ctx) -> Status {
            return ctx.isCanceled() ? Status(makeError(ErrorCode::Canceled, QStringLiteral("c"))) : Status();
        }));
        runner.cancel(); // may land before the worker built its context
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().at(1).value<Status>().error().code, ErrorCode::Canceled);
    }

    void failuresAndExceptions()
    {
        JobRunner runner;
        QSignalSpy finished(&runner, &JobRunner::finished);
        QSignalSpy issues(&runner, &JobRunner::issues);
        QVERIFY(runner.start(QStringLiteral("bad"), [](ProjectStore *, JobContext &ctx) -> Status {
            ctx.warn(QStringLiteral("first"), QStringLiteral("a.png"), 7);
            ctx.warn(QStringLiteral("second"));
            return makeError(ErrorCode::ParseError, QStringLiteral("broken input"));
        }));
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().at(1).value<Status>().error().code, ErrorCode::ParseError);
        QCOMPARE(issues.size(), 1); // batched
        const auto batch = issues.first().at(0).value<QVector<JobIssue>>();
        QCOMPARE(batch.size(), 2);
        QCOMPARE(batch[0].itemId, 7);
        QCOMPARE(batch[0].context, QStringLiteral("a.png"));

        QVERIFY(runner.start(QStringLiteral("throws"), [](ProjectStore *, JobContext &) -> Status {
            throw std::runtime_error("boom");
        }));
        QVERIFY(finished.wait(5000));
        const Status s = finished.last().at(1).value<Status>();
        QCOMPARE(s.error().code, ErrorCode::Internal);
        QVERIFY(s.error().message.contains(QStringLiteral("boom")));
    }

    void workerOwnsItsConnection()
    {
        QTemporaryDir dir;
        auto store = ProjectStore::create(dir.filePath(QStringLiteral("p")));
        QVERIFY(store);
        ProjectStore *gui = store->get();
        // A second writer elsewhere is refused while we hold the lock...
        auto other = ProjectStore::open(gui->dir(), ProjectStore::Access::ReadWrite);
        QVERIFY(!other);
        QCOMPARE(other.error().code, ErrorCode::Conflict);
        // ...but our own worker may write through a sibling connection.
        JobRunner runner;
        runner.setConnectionFactory([gui]() { return gui->openConnection(ProjectStore::Access::ReadWrite); });
        QSignalSpy finished(&runner, &JobRunner::finished);
        QVERIFY(runner.start(QStringLiteral("write"), [](ProjectStore *s, JobContext &) -> Status {
            if (!s)
                return makeError(ErrorCode::Internal, QStringLiteral("no store"));
            return s->setMeta(QStringLiteral("written_by"), QStringLiteral("worker"));
        }));
        QVERIFY(finished.wait(5000));
        QVERIFY(finished.first().at(1).value<Status>().ok());
        QCOMPARE(gui->meta(QStringLiteral("written_by")), QStringLiteral("worker"));

        // A read-only store cannot hand out writers.
        auto reader = ProjectStore::open(gui->dir(), ProjectStore::Access::ReadOnly);
        QVERIFY(reader);
        QCOMPARE((*reader)->openConnection(ProjectStore::Access::ReadWrite).error().code, ErrorCode::Conflict);

        // A factory that fails fails the job, which never runs.
        runner.setConnectionFactory([]() -> Result<std::unique_ptr<ProjectStore>> {
            return makeError(ErrorCode::NotFound, QStringLiteral("gone"));
        });
        bool ran = false;
        QVERIFY(runner.start(QStringLiteral("x"), [&](ProjectStore *, JobContext &) -> Status {
            ran = true;
            return {};
        }));
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.last().at(1).value<Status>().error().code, ErrorCode::NotFound);
        QVERIFY(!ran);
    }
};

QTEST_GUILESS_MAIN(TestJobRunner)
#include "test_jobrunner.moc"
