// Feeder pools (core/util/feederpool.h): every thread is running once the
// call returns, each ran the set-up once, each has a lower scheduling weight
// than the thread that called (a nice value kFeederNice higher), and that
// weight stays with the pool: the caller's and the global pool's threads keep
// theirs.

#include "core/util/feederpool.h"

#include <QMutex>
#include <QSet>
#include <QTest>
#include <QThreadPool>
#include <QtConcurrent>

#include <algorithm>

#include <sys/resource.h>
#include <unistd.h>

namespace {

int niceOfThisThread()
{
    errno = 0;
    const int nice = getpriority(PRIO_PROCESS, gettid());
    return errno == 0 ? nice : -100;
}

} // namespace

class TestFeederPool : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyThreadStartsLowerAndSetUpOnce()
    {
        const int callerNice = niceOfThisThread();
        QVERIFY(callerNice != -100);
        QThreadPool pool;
        pool.setMaxThreadCount(3);
        QMutex lock;
        QSet<int> setUpOn;
        int setUps = 0;
        rs::startFeederThreads(pool, [&] {
            const QMutexLocker locked(&lock);
            setUpOn.insert(gettid());
            ++setUps;
        });
        QCOMPARE(setUps, 3);
        QCOMPARE(setUpOn.size(), 3); // once on each of three threads
        QCOMPARE(pool.expiryTimeout(), -1);

        // Work queued afterwards runs on those threads, at the lower weight.
        const QList<std::pair<int, int>> seen = QtConcurrent::blockingMapped(&pool, QList<int>(64, 0), [](int) {
            QThread::usleep(200);
            return std::pair{int(gettid()), niceOfThisThread()};
        });
        for (const auto &[tid, nice] : seen) {
            QVERIFY2(setUpOn.contains(tid), "work ran on a thread that was not set up");
            QCOMPARE(nice, std::min(callerNice + rs::kFeederNice, 19)); // 19: the kernel's ceiling
        }
        QCOMPARE(niceOfThisThread(), callerNice);
    }

    void globalPoolKeepsItsWeight()
    {
        const int callerNice = niceOfThisThread();
        {
            QThreadPool pool;
            pool.setMaxThreadCount(2);
            rs::startFeederThreads(pool);
        }
        const QList<int> nices = QtConcurrent::blockingMapped(QList<int>(8, 0), [](int) { return niceOfThisThread(); });
        for (int nice : nices)
            QCOMPARE(nice, callerNice);
    }
};

QTEST_GUILESS_MAIN(TestFeederPool)
#include "test_feederpool.moc"
