// The ground stage with the real expert plugins of the build tree
// (expert_tesseract, expert_opencv): findings stored once per image,
// reused on an unchanged rerun, cleared when an expert is switched off,
// failures on the issue log.

#include "core/generate/groundstage.h"
#include "core/pipeline/pipeline.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QFont>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>
#include <QTest>

using namespace rs;

namespace {

QString writeTextImage(const QString &path)
{
    QImage img(640, 200, QImage::Format_RGB888);
    img.fill(Qt::white);
    QPainter p(&img);
    QFont f = p.font();
    f.setPixelSize(40);
    p.setFont(f);
    p.setPen(Qt::black);
    p.drawText(QRect(20, 20, 600, 70), Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("Layers Dialog"));
    p.drawText(QRect(20, 100, 600, 70), Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("Opacity Mode"));
    p.end();
    img.save(path);
    return path;
}

qint64 count(ProjectStore &store, const QString &sql)
{
    auto v = store.scalar(sql);
    return v ? v->toLongLong() : -1;
}

} // namespace

class TestGroundStage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cleanup()
    {
        m_store.reset(); // before its folder goes
        m_tmp.reset();
    }

    void init()
    {
        m_tmp = std::make_unique<QTemporaryDir>();
        auto store = ProjectStore::create(m_tmp->filePath(QStringLiteral("p")));
        QVERIFY(store.ok());
        m_store = std::move(*store);
        const QString good = writeTextImage(m_tmp->filePath(QStringLiteral("text.png")));
        QFile bad(m_tmp->filePath(QStringLiteral("broken.png")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("\x89PNG not really");
        bad.close();
        QVERIFY(m_store->exec(QStringLiteral("INSERT INTO images(id, image_key, path, sha256) VALUES(1, 'a', ?, 'h1'), (2, 'b', ?, 'h2')"),
                              {good, bad.fileName()}).ok());
        // Tags belong to generate: ground must leave them alone.
        QVERIFY(m_store->exec(QStringLiteral("INSERT INTO expert_findings(image_id, expert, kind, label, confidence, input_hash)"
                                             " VALUES(1, 'encoder-tags', 'tag', 'dialog', 0.7, 't')")).ok());
    }

    void findingsAreStoredOnceAndReused()
    {
        Recipe recipe;
        QVERIFY(recipe.set(QStringLiteral("experts.ocr"), QStringLiteral("on")).ok());
        GroundStage stage;
        QStringList issues;
        JobContext ctx({}, [&](const JobIssue &i) { issues << i.text; });
        QVERIFY(stage.run(*m_store, recipe, ctx).ok());

        auto ocr = m_store->exec(QStringLiteral("SELECT group_concat(label, ' ') FROM expert_findings WHERE image_id = 1 AND kind = 'ocr' AND level = 'line'"));
        QVERIFY(ocr.ok() && ocr->next());
        const QString text = ocr->value(0).toString();
        QVERIFY2(text.contains(QLatin1String("Layers")) && text.contains(QLatin1String("Opacity")), qPrintable(text));
        // One run per expert and image, also for experts that found nothing.
        QCOMPARE(count(*m_store, QStringLiteral("SELECT count(DISTINCT expert) FROM expert_runs WHERE image_id = 1")), qint64(3));
        // The broken file is an issue, not a crash, and has no run (tried again next time).
        QCOMPARE(count(*m_store, QStringLiteral("SELECT count(*) FROM expert_runs WHERE image_id = 2")), qint64(0));
        QVERIFY(count(*m_store, QStringLiteral("SELECT count(*) FROM issues WHERE stage = 'ground' AND item_id = 2")) >= 1);
        QCOMPARE(count(*m_store, QStringLiteral("SELECT count(*) FROM expert_findings WHERE expert = 'encoder-tags'")), qint64(1));

        // Unchanged rerun: nothing is analysed again (rows keep their ids).
        const qint64 maxId = count(*m_store, QStringLiteral("SELECT max(id) FROM expert_findings WHERE image_id = 1"));
        const qint64 rows = count(*m_store, QStringLiteral("SELECT count(*) FROM expert_findings"));
        QVERIFY(stage.run(*m_store, recipe, ctx).ok());
        QCOMPARE(count(*m_store, QStringLiteral("SELECT max(id) FROM expert_findings WHERE image_id = 1")), maxId);
        QCOMPARE(count(*m_store, QStringLiteral("SELECT count(*) FROM expert_findings")), rows);

        // Switching OCR off clears its findings; the others and the tags stay.
        QVERIFY(recipe.set(QStringLiteral("experts.ocr"), QStringLiteral("off")).ok());
        QVERIFY(stage.run(*m_store, recipe, ctx).ok());
        QCOMPARE(count(*m_store, QStringLiteral("SELECT count(*) FROM expert_findings WHERE kind = 'ocr'")), qint64(0));
        QCOMPARE(count(*m_store, QStringLiteral("SELECT count(*) FROM expert_runs WHERE image_id = 1")), qint64(2));
        QCOMPARE(count(*m_store, QStringLiteral("SELECT count(*) FROM expert_findings WHERE expert = 'encoder-tags'")), qint64(1));
    }

    // Cancel stops at once: images not started are not analysed (no run
    // recorded, so the next run does them), what finished is kept.
    void cancelKeepsWhatFinished()
    {
        const QString good = writeTextImage(m_tmp->filePath(QStringLiteral("many.png")));
        for (int i = 0; i < 200; ++i)
            QVERIFY(m_store->exec(QStringLiteral("INSERT INTO images(id, image_key, path, sha256) VALUES(?, ?, ?, ?)"),
                                  {100 + i, QStringLiteral("m%1").arg(i), good, QStringLiteral("m%1").arg(i)}).ok());
        Recipe recipe;
        QVERIFY(recipe.set(QStringLiteral("experts.ocr"), QStringLiteral("off")).ok());
        // One worker: at most 64 tasks run ahead of the writes (the window),
        // so a cancel after the first 32 are written leaves images undone on
        // any machine, however fast its workers are against the writer.
        QVERIFY(recipe.set(QStringLiteral("threads"), QStringLiteral("1")).ok());
        GroundStage stage;
        JobContext *self = nullptr;
        int reports = 0;
        JobContext ctx([&](qint64, qint64, const QString &) {
            if (++reports == 1)
                self->cancel();
        }, {});
        self = &ctx;
        auto r = stage.run(*m_store, recipe, ctx);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Canceled);
        const qint64 done = count(*m_store, QStringLiteral("SELECT count(DISTINCT image_id) FROM expert_runs WHERE image_id >= 100"));
        // The cancel comes with the first commit, after 32 images: init()'s
        // two images (ids 1, 2) and 30 of these; at most the window (64)
        // and the one running more were analysed by then.
        QVERIFY2(done >= 30 && done <= 30 + 64 + 1, qPrintable(QString::number(done)));
        // Every image with a run has both experts' runs: none is half written.
        QCOMPARE(count(*m_store, QStringLiteral("SELECT count(*) FROM expert_runs WHERE image_id >= 100")), 2 * done);

        // The next run does the rest.
        JobContext again;
        QVERIFY(stage.run(*m_store, recipe, again).ok());
        QCOMPARE(count(*m_store, QStringLiteral("SELECT count(DISTINCT image_id) FROM expert_runs WHERE image_id >= 100")), qint64(200));
    }

    // Issue 10/11: huge OCR output is cut, lines kept before words, and
    // the cut is said.
    void hugeExpertOutputIsCapped()
    {
        Findings all;
        for (int i = 0; i < GroundStage::kMaxFindings + 10; ++i) {
            Finding f;
            f.kind = QStringLiteral("ocr");
            f.level = i < 5 ? QStringLiteral("line") : QStringLiteral("word");
            f.text = i == 0 ? QString(5000, QLatin1Char('x')) : QStringLiteral("w%1").arg(i);
            all.push_back(f);
        }
        QString why;
        Findings kept = GroundStage::capFindings(all, &why);
        QCOMPARE(kept.size(), qsizetype(GroundStage::kMaxFindings));
        QCOMPARE(kept.front().level, QStringLiteral("line"));
        QCOMPARE(kept.front().text.size(), qsizetype(GroundStage::kMaxFindingChars));
        QCOMPARE(why, QStringLiteral("%1 findings; the first %2 are kept; 1 texts longer than %3 characters cut")
                          .arg(all.size()).arg(GroundStage::kMaxFindings).arg(GroundStage::kMaxFindingChars));
        kept = GroundStage::capFindings(kept.mid(1, 3), &why);
        QCOMPARE(kept.size(), qsizetype(3));
        QVERIFY(why.isEmpty());
        QVERIFY(GroundStage::capFindings({}, &why).isEmpty());
    }

    void stageOrderAndSettings()
    {
        QCOMPARE(Pipeline::stageNames(),
                 (QStringList{QStringLiteral("extract"), QStringLiteral("ground"), QStringLiteral("embed"), QStringLiteral("retrieve"),
                              QStringLiteral("generate"), QStringLiteral("sample")}));
        Pipeline pipeline;
        QVERIFY(pipeline.isAvailable(QStringLiteral("ground")));
        // The experts' settings make ground stale; tags are generate's.
        Recipe a, b;
        QVERIFY(b.set(QStringLiteral("experts.faces"), QStringLiteral("off")).ok());
        QVERIFY(pipeline.fingerprint(QStringLiteral("extract"), *m_store, a) == pipeline.fingerprint(QStringLiteral("extract"), *m_store, b));
        QVERIFY(pipeline.fingerprint(QStringLiteral("ground"), *m_store, a) != pipeline.fingerprint(QStringLiteral("ground"), *m_store, b));
        Recipe c;
        QVERIFY(c.set(QStringLiteral("experts.tags"), QStringLiteral("off")).ok());
        QVERIFY(pipeline.fingerprint(QStringLiteral("ground"), *m_store, a) == pipeline.fingerprint(QStringLiteral("ground"), *m_store, c));
        QVERIFY(pipeline.fingerprint(QStringLiteral("generate"), *m_store, a) != pipeline.fingerprint(QStringLiteral("generate"), *m_store, c));
    }

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<ProjectStore> m_store;
};

QTEST_MAIN(TestGroundStage)
#include "test_groundstage.moc"
