// The GUI's item models over a real generated project, each checked by
// QAbstractItemModelTester: the sample list (filters, sort, search, paging)
// and the issue log (fetchMore paging, live issues).

#include "core/ingest/ingestor.h"
#include "core/pipeline/livedecisions.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "ui/models/issuelogmodel.h"
#include "ui/models/projectsession.h"
#include "ui/models/samplelistmodel.h"
#include "ui/models/thumbnailcache.h"
#include "uitestproject.h"

#include <QAbstractItemModelTester>
#include <QPixmap>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace rs;

class TestUiModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_project = test::makeUiProject(m_tmp.path(), 40, true);
        QVERIFY(!m_project.dir.isEmpty());
        auto store = ProjectStore::open(m_project.dir, ProjectStore::Access::ReadOnly);
        QVERIFY(store);
        m_store = std::move(store.value());
        auto live = LiveDecisions::load(*m_store, Recipe());
        QVERIFY(live);
        m_live = std::make_shared<const LiveDecisions>(std::move(live.value()));
        m_codes = std::make_shared<const std::vector<quint8>>(m_live->decideImages(Recipe()));
    }

    void sampleListFilters()
    {
        SampleListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy rebuilt(&model, &SampleListModel::rowsRebuilt);
        model.setStore(m_store.get());
        model.setData(m_live, m_codes);
        QVERIFY(rebuilt.wait(5000));
        QCOMPARE(model.rowCount(), 40);

        model.setFilter(SampleListModel::Filter::Kept);
        QVERIFY(rebuilt.wait(5000));
        QCOMPARE(model.rowCount(), 25); // sides 100..196 pass min_side 100
        for (int r = 0; r < model.rowCount(); ++r)
            QVERIFY(model.index(r).data(SampleListModel::KeptRole).toBool());

        model.setFilter(SampleListModel::Filter::Rejected);
        QVERIFY(rebuilt.wait(5000));
        QCOMPARE(model.rowCount(), 15);
        QCOMPARE(model.index(0).data(SampleListModel::ReasonRole).toString(), QStringLiteral("too_small"));
        // People read the registry's display name, not the stored code.
        QVERIFY(model.index(0).data(Qt::DisplayRole).toString().contains(QStringLiteral("too small")));
        QVERIFY(model.index(0).data(SampleListModel::PathRole).toString().endsWith(QStringLiteral(".png")));

        // Live codes from another recipe change the rows without SQL.
        Recipe lower;
        QVERIFY(lower.set(QStringLiteral("extract.min_side"), QStringLiteral("60")));
        model.setData(m_live, std::make_shared<const std::vector<quint8>>(m_live->decideImages(lower)));
        QVERIFY(rebuilt.wait(5000));
        QCOMPARE(model.rowCount(), 5); // sides 40..56
    }

    void sampleListSortAndSearch()
    {
        SampleListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy rebuilt(&model, &SampleListModel::rowsRebuilt);
        model.setStore(m_store.get());
        model.setData(m_live, m_codes);
        QVERIFY(rebuilt.wait(5000));
        model.setSort(SampleListModel::Sort::ShorterSide, Qt::DescendingOrder);
        QVERIFY(rebuilt.wait(5000));
        const auto &im = m_live->images();
        int previous = INT_MAX;
        for (int r = 0; r < model.rowCount(); ++r) {
            const qint64 row = m_live->rowOfImage(model.idAt(r));
            const int side = std::min(im.width[size_t(row)], im.height[size_t(row)]);
            QVERIFY(side <= previous);
            previous = side;
        }
        QCOMPARE(previous, 40);

        model.setSearch(QStringLiteral("circle number 7"));
        QVERIFY(rebuilt.wait(5000));
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(model.index(0).data(SampleListModel::PathRole).toString().endsWith(QStringLiteral("picture7.png")));
        QCOMPARE(model.rowOf(model.idAt(0)), 0);
        model.setSearch(QStringLiteral("no such text anywhere"));
        QVERIFY(rebuilt.wait(5000));
        QCOMPARE(model.rowCount(), 0);
    }

    void thumbnailsArriveAndAreCached()
    {
        QTemporaryDir cacheDir;
        ThumbnailCache cache;
        cache.setCacheDir(cacheDir.path());
        SampleListModel model;
        QSignalSpy rebuilt(&model, &SampleListModel::rowsRebuilt);
        model.setThumbnails(&cache);
        model.setStore(m_store.get());
        model.setData(m_live, m_codes);
        QVERIFY(rebuilt.wait(5000));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        const QModelIndex first = model.index(0);
        (void)first.data(Qt::DecorationRole); // placeholder; queues the thumbnail
        QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 10000);
        const QPixmap thumb = first.data(Qt::DecorationRole).value<QPixmap>();
        QVERIFY(!thumb.isNull());
        QVERIFY(std::max(thumb.width(), thumb.height()) <= ThumbnailCache::kSide);
        QVERIFY(QFileInfo::exists(cacheDir.filePath(QString::number(model.idAt(0)) + QStringLiteral(".jpg"))));
    }

    void thumbnailsCrispAtDevicePixelRatio2()
    {
        // On a 2× screen a thumbnail has twice the pixels in the same
        // logical size; a 1× thumbnail scaled up would be blurry.
        QTemporaryDir cacheDir;
        ThumbnailCache cache;
        cache.setCacheDir(cacheDir.path());
        cache.setDevicePixelRatio(2.0);
        // The widest image: 261×196 px, so 2× (320×240) shows it unscaled.
        auto widest = m_store->scalar(QStringLiteral("SELECT id FROM images ORDER BY width DESC LIMIT 1"));
        QVERIFY(widest);
        const qint64 id = widest->toLongLong();
        auto path = m_store->scalar(QStringLiteral("SELECT path FROM images WHERE id = %1").arg(id));
        QVERIFY(path);
        QSignalSpy ready(&cache, &ThumbnailCache::ready);
        QVERIFY(cache.thumbnail(id, path->toString()).isNull());
        QVERIFY(ready.wait(10000));
        const QPixmap thumb = cache.thumbnail(id, path->toString());
        QCOMPARE(thumb.devicePixelRatio(), 2.0);
        QCOMPARE(thumb.size(), QSize(ThumbnailCache::kSide * 2, ThumbnailCache::kSide * 3 / 4 * 2));
        QCOMPARE(thumb.deviceIndependentSize(), QSizeF(ThumbnailCache::kSide, ThumbnailCache::kSide * 3 / 4));
        // Drawn at full density: the image spans more than 1× would allow.
        const QImage img = thumb.toImage();
        int left = img.width(), right = -1;
        for (int x = 0; x < img.width(); ++x)
            if (qAlpha(img.pixel(x, img.height() - 1)) > 0) {
                left = std::min(left, x);
                right = std::max(right, x);
            }
        QVERIFY2(right - left + 1 > ThumbnailCache::kSide, qPrintable(QString::number(right - left + 1)));
        QVERIFY(QFileInfo::exists(cacheDir.filePath(QStringLiteral("%1@%2.jpg").arg(id).arg(ThumbnailCache::kSide * 2))));
    }

    void issueLogPaging()
    {
        QTemporaryDir dir;
        auto store = ProjectStore::create(dir.filePath(QStringLiteral("p")));
        QVERIFY(store);
        {
            Transaction tx(**store);
            for (int i = 0; i < 1200; ++i)
                QVERIFY((*store)->logIssue(QStringLiteral("extract"), QStringLiteral("warning"), QStringLiteral("image"), i,
                                           QStringLiteral("issue %1").arg(i), QString()));
            QVERIFY(tx.commit());
        }
        {
            // Paging, without a tester (the tester fetches everything itself).
            IssueLogModel paged;
            paged.setStore(store->get());
            QCOMPARE(paged.storedCount(), 1200);
            QCOMPARE(paged.rowCount(), IssueLogModel::kPageSize);
            QCOMPARE(paged.index(0, IssueLogModel::TextColumn).data().toString(), QStringLiteral("issue 1199")); // newest first
            QVERIFY(paged.canFetchMore({}));
            paged.fetchMore({});
            paged.fetchMore({});
            QCOMPARE(paged.rowCount(), 1200);
            QVERIFY(!paged.canFetchMore({}));
            QCOMPARE(paged.index(1199, IssueLogModel::ItemColumn).data().toString(), QStringLiteral("image #0"));
            QCOMPARE(paged.index(5, 0).data(IssueLogModel::ImageIdRole).toLongLong(), 1194);
        }
        IssueLogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(store->get());
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(model.rowCount(), 1200);
        model.addLive(QStringLiteral("embed"), {JobIssue{Severity::Error, QStringLiteral("live one"), 3, QStringLiteral("x.png")}});
        QCOMPARE(model.rowCount(), 1201);
        QCOMPARE(model.index(0, IssueLogModel::StageColumn).data().toString(), QStringLiteral("embed"));
        model.reload(); // stored issues re-read, live ones stay on top
        QCOMPARE(model.index(0, IssueLogModel::StageColumn).data().toString(), QStringLiteral("embed"));
        QVERIFY(model.rowCount() >= 1 + IssueLogModel::kPageSize);
        QCOMPARE(model.index(1, IssueLogModel::TextColumn).data().toString(), QStringLiteral("issue 1199"));
        model.setStore(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    // A project made in the studio (New project) is ingested under its
    // recipe, as the CLI's is: its sentences are written decided.
    void newProjectIngestsUnderItsRecipe()
    {
        QTemporaryDir dir;
        const QString corpus = dir.filePath(QStringLiteral("corpus"));
        QVERIFY(QDir().mkpath(corpus));
        QFile page(corpus + QStringLiteral("/a.html"));
        QVERIFY(page.open(QIODevice::WriteOnly));
        page.write("<p>The brush tool paints soft strokes on the canvas. Click here.</p>"
                   "<p>The brush tool paints soft strokes on the canvas.</p>");
        page.close();
        ProjectSession session;
        QSignalSpy finished(session.runner(), &JobRunner::finished);
        IngestOptions opts;
        opts.format = QStringLiteral("html");
        opts.paths = {corpus};
        QVERIFY(session.create(dir.filePath(QStringLiteral("p")), opts).ok());
        QVERIFY(finished.wait(20000));
        QVERIFY(finished.first().at(1).value<Status>().ok());
        auto q = session.store()->exec(QStringLiteral("SELECT coalesce(reject_reason, '-') FROM sentences ORDER BY id"));
        QVERIFY(q);
        QStringList reasons;
        while (q->next())
            reasons << q->value(0).toString();
        QCOMPARE(reasons, QStringList({QStringLiteral("-"), QStringLiteral("too_few_words"), QStringLiteral("exact_duplicate")}));
    }

private:
    QTemporaryDir m_tmp;
    test::UiProject m_project;
    std::unique_ptr<ProjectStore> m_store;
    std::shared_ptr<const LiveDecisions> m_live;
    std::shared_ptr<const std::vector<quint8>> m_codes;
};

QTEST_MAIN(TestUiModels)
#include "test_uimodels.moc"
