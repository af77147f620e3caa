// The CLI's malloc set-up (core/util/batchmalloc.h): a thread that asks for
// huge pages gets them advised under its own heap, where later allocations
// land, only once the process has chosen to keep freed memory; and asking
// touches nothing.
//
// The advice is read back from /proc/self/smaps: "hg" in a mapping's
// VmFlags is the kernel's record of MADV_HUGEPAGE.

#include "core/util/batchmalloc.h"

#include <QFile>
#include <QFileInfo>
#include <QTest>

#include <cstdlib>
#include <thread>

namespace {

struct Mapping {
    bool found = false;
    bool hugePagesAdvised = false;
};

// What /proc/self/smaps says of the mapping that holds `address`.
Mapping mappingOf(const void *address)
{
    QFile smaps(QStringLiteral("/proc/self/smaps"));
    if (!smaps.open(QIODevice::ReadOnly))
        return {};
    const auto at = quintptr(address);
    Mapping m;
    bool inside = false;
    for (const QByteArray &line : smaps.readAll().split('\n')) {
        const qsizetype dash = line.indexOf('-');
        const qsizetype space = line.indexOf(' ');
        if (dash > 0 && space > dash) {
            bool ok1 = false, ok2 = false;
            const quintptr begin = line.left(dash).toULongLong(&ok1, 16);
            const quintptr end = line.mid(dash + 1, space - dash - 1).toULongLong(&ok2, 16);
            if (ok1 && ok2) {
                inside = at >= begin && at < end;
                m.found |= inside;
                continue;
            }
        }
        if (line.startsWith("VmFlags:")) {
            const bool hg = line.mid(8).split(' ').contains("hg");
            if (inside)
                m.hugePagesAdvised = hg;
        }
    }
    return m;
}

qint64 residentKb()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return -1;
    return statm.readAll().split(' ').value(1).toLongLong() * 4;
}

bool kernelHasTransparentHugePages()
{
    return QFileInfo::exists(QStringLiteral("/sys/kernel/mm/transparent_hugepage/enabled"));
}

// Runs `body` on a thread of its own, whose malloc heap is its own arena
// (or one an exited thread left, with free blocks of its own).
template <typename Body>
void onNewThread(Body &&body)
{
    std::thread t(std::forward<Body>(body));
    t.join();
}

// On a new thread that asks for huge pages: the mapping of a block larger
// than any free one an earlier thread can have left in its arena, so that
// it comes from the top of the heap, where the advised block was.
Mapping largeBlockAfterAsking()
{
    Mapping m;
    onNewThread([&m] {
        rs::preferHugePagesForThisThread();
        void *p = std::malloc(size_t(8) << 20);
        m = mappingOf(p);
        std::free(p);
    });
    return m;
}

} // namespace

class TestBatchMalloc : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Runs first: the process has not kept freed memory yet, so a block of
    // the thread's would be unmapped on free and the advice lost with it.
    void nothingBeforeFreedMemoryIsKept()
    {
        const Mapping m = largeBlockAfterAsking();
        QVERIFY(m.found);
        QVERIFY(!m.hugePagesAdvised);
    }

    void advisedUnderEachThreadsHeap()
    {
        rs::keepFreedMemoryForReuse();
        for (int thread = 0; thread < 3; ++thread) {
            const Mapping m = largeBlockAfterAsking();
            QVERIFY(m.found);
            QCOMPARE(m.hugePagesAdvised, kernelHasTransparentHugePages());
        }
    }

    // The heap is grown, not filled: asking leaves the resident size alone.
    // The block is 31 MiB, so touching it would add that much; the margin
    // is for what else the process may fault in meanwhile (khugepaged can
    // collapse an earlier test's advised memory into a 2 MiB page: CI once
    // read 12,544 -> 14,348 KiB).
    void asksWithoutTouching()
    {
        rs::keepFreedMemoryForReuse();
        qint64 before = 0, after = 0;
        onNewThread([&] {
            before = residentKb();
            rs::preferHugePagesForThisThread();
            after = residentKb();
        });
        QVERIFY(before > 0);
        QVERIFY2(after - before < 8192, qPrintable(QStringLiteral("%1 KiB -> %2 KiB").arg(before).arg(after)));
    }
};

QTEST_GUILESS_MAIN(TestBatchMalloc)
#include "test_batchmalloc.moc"
