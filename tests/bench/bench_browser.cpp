// Sample browser at 100k images (issue #6): time from opening a project to
// the first thumbnails on screen, and the frame time of scrolling the
// thumbnail grid. The project has 100k image rows (with probed sizes, as
// after extract) over 64 real PNG files, so thumbnails decode real pixels.
// Prints medians with qInfo; asserts only generous bounds.

#include "core/store/projectstore.h"
#include "ui/models/projectsession.h"
#include "ui/models/samplelistmodel.h"
#include "ui/models/thumbnailcache.h"
#include "ui/views/mainwindow.h"
#include "ui/views/samplebrowser.h"

#include <QElapsedTimer>
#include <QImage>
#include <QListView>
#include <QPainter>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace rs;

class BenchBrowser : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_tmp.isValid());
        m_rows = qEnvironmentVariableIntValue("REALSYN_BENCH_ROWS") > 0 ? qEnvironmentVariableIntValue("REALSYN_BENCH_ROWS") : 100000;
        const QString images = m_tmp.filePath(QStringLiteral("img"));
        QDir().mkpath(images);
        for (int f = 0; f < 64; ++f) {
            QImage image(640, 480, QImage::Format_RGB32);
            image.fill(QColor::fromHsv(f * 5, 120, 230));
            QPainter p(&image);
            p.drawEllipse(40 + f, 40, 400, 300);
            p.end();
            QVERIFY(image.save(QStringLiteral("%1/%2.png").arg(images).arg(f)));
        }
        m_project = m_tmp.filePath(QStringLiteral("project"));
        auto store = ProjectStore::create(m_project);
        QVERIFY(store);
        QElapsedTimer t;
        t.start();
        Transaction tx(**store);
        QSqlQuery q((*store)->db());
        QVERIFY(q.prepare(QStringLiteral("INSERT INTO images(id, image_key, path, probed, width, height, sha256, phash, reject_reason)"
                                         " VALUES(?, ?, ?, 1, ?, ?, ?, ?, ?)")));
        for (int i = 1; i <= m_rows; ++i) {
            const int side = 50 + (i * 37) % 600;
            q.addBindValue(i);
            q.addBindValue(QStringLiteral("k%1").arg(i));
            q.addBindValue(QStringLiteral("%1/%2.png").arg(images).arg(i % 64));
            q.addBindValue(side + 40);
            q.addBindValue(side);
            q.addBindValue(QStringLiteral("sha%1").arg(i));
            q.addBindValue(qint64(quint64(i) * 0x9E3779B97F4A7C15ull));
            q.addBindValue(side < 100 ? QVariant(QStringLiteral("too_small")) : QVariant());
            QVERIFY(q.exec());
        }
        QVERIFY(tx.commit());
        qInfo("project with %d image rows written in %lld ms", m_rows, t.elapsed());
    }

    void openToFirstThumbnails()
    {
        std::vector<double> ms;
        for (int run = 0; run < 3; ++run) {
            QDir(m_project + QStringLiteral("/thumbnails")).removeRecursively(); // cold disk cache each run
            MainWindow window;
            window.resize(1600, 1000);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QElapsedTimer t;
            t.start();
            QVERIFY(window.openProject(m_project, true));
            // First thumbnail: a decoration that is a real (not placeholder) pixmap
            // arrives through dataChanged on a row.
            QSignalSpy changed(window.browser()->model(), &QAbstractItemModel::dataChanged);
            QTRY_VERIFY_WITH_TIMEOUT(window.browser()->model()->rowCount() == m_rows, 60000);
            QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 60000);
            ms.push_back(t.elapsed());
        }
        std::sort(ms.begin(), ms.end());
        qInfo("open %d-image project to first thumbnail: median %.0f ms (min %.0f, max %.0f) over %zu runs", m_rows, ms[1], ms.front(),
              ms.back(), ms.size());
        QVERIFY(ms[1] < 30000);
    }

    void scrollFrameTime()
    {
        MainWindow window;
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openProject(m_project, true));
        QTRY_VERIFY_WITH_TIMEOUT(window.browser()->model()->rowCount() == m_rows, 60000);
        QListView *view = window.browser()->view();
        QScrollBar *bar = view->verticalScrollBar();
        QVERIFY(bar->maximum() > 0);
        // 200 frames: 100 small steps (a wheel scroll) then 100 jumps
        // across the whole list (dragging the scroll bar), each painted.
        std::vector<double> wheel, jump;
        for (int f = 0; f < 200; ++f) {
            const int value = f < 100 ? f * 120 : int(qint64(bar->maximum()) * ((f * 7919) % 100) / 100);
            QElapsedTimer t;
            t.start();
            bar->setValue(value);
            view->viewport()->repaint();
            QCoreApplication::processEvents();
            (f < 100 ? wheel : jump).push_back(t.nsecsElapsed() / 1e6);
        }
        std::sort(wheel.begin(), wheel.end());
        std::sort(jump.begin(), jump.end());
        qInfo("scroll frame time at %d rows: wheel steps median %.1f ms (p95 %.1f), jumps median %.1f ms (p95 %.1f)", m_rows,
              wheel[50], wheel[95], jump[50], jump[95]);
        QVERIFY(jump[50] < 200);
    }

private:
    QTemporaryDir m_tmp;
    QString m_project;
    int m_rows = 0;
};

QTEST_MAIN(BenchBrowser)
#include "bench_browser.moc"
