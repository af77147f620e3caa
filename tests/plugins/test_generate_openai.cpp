// The generate stage with the OpenAI-compatible backend, end to end: the
// real plugin found by the plugin manager from the build tree, a local
// server speaking the protocol, results stored with provenance, reused on
// an unchanged rerun, per-item failures recorded, and the API key nowhere
// in the project.

#include "core/generate/generatestage.h"
#include "core/ingest/ingestor.h"
#include "core/pipeline/pipeline.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "tests/support/httptestserver.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QPainter>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace rs;

namespace {

const QByteArray kKey = "sk-test-7f3a9c2e51d84b06";

QByteArray chatAnswer(const QString &content)
{
    return QJsonDocument(QJsonObject{
                             {QStringLiteral("id"), QStringLiteral("chatcmpl-42")},
                             {QStringLiteral("object"), QStringLiteral("chat.completion")},
                             {QStringLiteral("created"), 1764200000},
                             {QStringLiteral("model"), QStringLiteral("test-llm")},
                             {QStringLiteral("choices"),
                              QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                                     {QStringLiteral("message"), QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                                                             {QStringLiteral("content"), content}}},
                                                     {QStringLiteral("finish_reason"), QStringLiteral("stop")}}}},
                             {QStringLiteral("usage"), QJsonObject{{QStringLiteral("prompt_tokens"), 120},
                                                                   {QStringLiteral("completion_tokens"), 20},
                                                                   {QStringLiteral("total_tokens"), 140}}}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

class TestGenerateOpenAi : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;

private Q_SLOTS:
    void endToEnd()
    {
        // A small corpus: three pictures with alt texts.
        const QString corpus = m_tmp.filePath(QStringLiteral("corpus"));
        QDir().mkpath(corpus);
        QString html;
        for (int i = 0; i < 3; ++i) {
            QImage img(300, 200, QImage::Format_RGB32);
            img.fill(Qt::white);
            QPainter p(&img);
            p.fillRect(20 + 60 * i, 30, 80, 120, QColor::fromHsv(120 * i, 200, 200));
            p.end();
            QVERIFY(img.save(corpus + QStringLiteral("/p%1.png").arg(i)));
            html += QStringLiteral("<p>Picture %1 shows a coloured block on a white page.</p><img src=\"p%1.png\" alt=\"coloured block number %1\"/>").arg(i);
        }
        QFile page(corpus + QStringLiteral("/index.html"));
        QVERIFY(page.open(QIODevice::WriteOnly));
        page.write(html.toUtf8());
        page.close();

        auto store = ProjectStore::create(m_tmp.filePath(QStringLiteral("project")));
        QVERIFY(store.ok());
        JobContext ctx;
        IngestOptions ingestOptions;
        ingestOptions.format = QStringLiteral("html");
        ingestOptions.paths = {corpus};
        QVERIFY(ingest(**store, ingestOptions, ctx).ok());
        Recipe recipe;
        QVERIFY(recipe.set(QStringLiteral("extract.near_duplicates"), QStringLiteral("false")).ok());
        Pipeline pipeline;
        QVERIFY(pipeline.run(**store, recipe, QStringLiteral("extract"), ctx).ok());
        // Stand in for stage 2: each image's own paragraph as its top text.
        QVERIFY((*store)->exec(QStringLiteral("INSERT INTO retrievals(image_id, rank, sentence_id, score)"
                                              " SELECT r.image_id, 1, s.id, 0.5 FROM image_refs r JOIN sentences s"
                                              " ON s.document_id = r.document_id AND s.kind = 'body' AND s.text LIKE"
                                              " '%' || substr(r.alt, -1) || ' shows%'"))
                    .ok());

        QAtomicInt failFor = -1;
        QAtomicInt allFail = 0;
        QAtomicInt delayMs = 0;
        std::atomic<bool> *cancelOnRequest = nullptr;
        rs::test::TestServer server([&](const rs::test::HttpRequest &req, int) {
            if (cancelOnRequest)
                cancelOnRequest->store(true); // Ctrl-C while the batch is in flight
            if (allFail.loadRelaxed())
                return rs::test::reply(500, "{\"error\": {\"message\": \"engine down\"}}");
            const QString user = req.json().value(QStringLiteral("messages")).toArray().last().toObject().value(QStringLiteral("content")).toString();
            if (req.headers.value("authorization") != "Bearer " + kKey)
                return rs::test::reply(401, "{\"error\": {\"message\": \"bad key\"}}");
            for (int i = 0; i < 3; ++i)
                if (user.contains(QStringLiteral("Picture %1 shows").arg(i))) {
                    if (i == failFor.loadRelaxed())
                        return rs::test::reply(200, "{\"choices\": []}");
                    rs::test::HttpResponse r = rs::test::reply(200, chatAnswer(QStringLiteral("A coloured block, picture %1, on white paper.").arg(i)));
                    r.delayMs = delayMs.loadRelaxed();
                    return r;
                }
            return rs::test::reply(400, "{\"error\": \"no realistic text in the request\"}");
        });

        for (const QString &set : {QStringLiteral("generate.backend=openai"), QStringLiteral("generate.captioner=none"),
                                   QStringLiteral("generate.model=test-llm"), QStringLiteral("generate.retries=0"),
                                   QStringLiteral("experts.ocr=off"), QStringLiteral("experts.faces=off"), QStringLiteral("experts.quality=off"),
                                   QStringLiteral("experts.tags=off")})
            QVERIFY(recipe.setAssignment(set).ok());
        QVERIFY(recipe.set(QStringLiteral("generate.endpoint"), server.endpoint()).ok());
        QVERIFY(recipe.save(**store).ok());
        qputenv("OPENAI_API_KEY", kKey);

        GenerateStage stage;
        failFor.storeRelaxed(2);
        QVERIFY(stage.run(**store, recipe, ctx).ok());
        QCOMPARE(server.requests().size(), 3);
        auto q = (*store)->exec(QStringLiteral("SELECT synthetic_text, generator, model, prompt_version, evidence, error FROM generations ORDER BY image_id"));
        QVERIFY(q.ok());
        int ok = 0, failed = 0;
        while (q->next()) {
            if (q->value(5).isNull()) {
                ++ok;
                QVERIFY(q->value(0).toString().startsWith(QStringLiteral("A coloured block, picture")));
                QVERIFY(q->value(1).toString().contains(QStringLiteral("openai")));
                QCOMPARE(q->value(2).toString(), QStringLiteral("test-llm"));
                QVERIFY(!q->value(3).toString().isEmpty());
                QVERIFY(q->value(4).toString().contains(QStringLiteral("finish_reason")));
            } else {
                ++failed; // the malformed answer is recorded for that image only
                QVERIFY(q->value(0).isNull());
            }
        }
        QCOMPARE(ok, 2);
        QCOMPARE(failed, 1);

        // Unchanged inputs: the two good results are reused, the failed one retried.
        failFor.storeRelaxed(-1);
        QVERIFY(stage.run(**store, recipe, ctx).ok());
        QCOMPARE(server.requests().size(), 4);
        auto errors = (*store)->scalar(QStringLiteral("SELECT count(*) FROM generations WHERE error IS NOT NULL"));
        QCOMPARE(errors->toInt(), 0);

        // Issue 11: Ctrl-C while a batch is in flight saves nothing of it, so
        // a resume cannot reuse a half-made row; the resume redoes it all.
        // The input hash covers the model asked for, so a row made for the
        // new model has a new hash.
        const auto hashes = [&] {
            QStringList out;
            auto h = (*store)->exec(QStringLiteral("SELECT input_hash FROM generations ORDER BY image_id"));
            while (h && h->next())
                out << h->value(0).toString();
            return out;
        };
        const QStringList hashesBefore = hashes();
        QCOMPARE(hashesBefore.size(), 3);
        QVERIFY(recipe.set(QStringLiteral("generate.model"), QStringLiteral("test-llm-2")).ok());
        JobContext interrupted;
        cancelOnRequest = interrupted.cancelFlag();
        Status s = stage.run(**store, recipe, interrupted);
        cancelOnRequest = nullptr;
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Canceled);
        QCOMPARE(hashes(), hashesBefore);
        auto changed = (*store)->scalar(QStringLiteral("SELECT count(*) FROM generations WHERE error IS NOT NULL"));
        QCOMPARE(changed->toInt(), 0);
        const qsizetype before = server.requests().size();
        QVERIFY(stage.run(**store, recipe, ctx).ok());
        QCOMPARE(server.requests().size(), before + 3);
        QVERIFY(hashes() != hashesBefore);

        // Issue 11: when every request fails the stage fails (so it is not
        // marked done and a later run retries), naming the images.
        QVERIFY(recipe.set(QStringLiteral("generate.model"), QStringLiteral("test-llm-3")).ok());
        allFail.storeRelaxed(1);
        QStringList warnings;
        JobContext watched([](qint64, qint64, const QString &) {}, [&](const JobIssue &issue) { warnings << issue.text; });
        s = stage.run(**store, recipe, watched);
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.contains(QStringLiteral("failed all 3 requests")), qPrintable(s.error().message));
        const QString all = warnings.join(QLatin1Char('\n'));
        QCOMPARE(warnings.filter(QRegularExpression(QStringLiteral("^generate: image \\d+: HTTP 500"))).size(), 3);
        QVERIFY2(!all.contains(QStringLiteral("item ")), qPrintable(all));
        allFail.storeRelaxed(0);
        QVERIFY(stage.run(**store, recipe, ctx).ok()); // the retry generates them
        errors = (*store)->scalar(QStringLiteral("SELECT count(*) FROM generations WHERE error IS NOT NULL"));
        QCOMPARE(errors->toInt(), 0);

        // Issue 11: a stalled server costs at most generate.deadline_s, not
        // one request timeout after another; nothing of the cut batch is saved.
        const QStringList beforeDeadline = hashes();
        QVERIFY(recipe.set(QStringLiteral("generate.model"), QStringLiteral("test-llm-4")).ok());
        QVERIFY(recipe.set(QStringLiteral("generate.deadline_s"), QStringLiteral("1")).ok());
        delayMs.storeRelaxed(30000);
        QElapsedTimer clock;
        clock.start();
        s = stage.run(**store, recipe, ctx);
        QVERIFY(!s.ok());
        QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY2(s.error().message.contains(QStringLiteral("generate.deadline_s = 1")), qPrintable(s.error().message));
        QCOMPARE(hashes(), beforeDeadline);
        delayMs.storeRelaxed(0);
        QVERIFY(recipe.set(QStringLiteral("generate.deadline_s"), QStringLiteral("0")).ok());
        QVERIFY(stage.run(**store, recipe, ctx).ok());
        const QStringList afterDeadline = hashes();
        for (int i = 0; i < 3; ++i)
            QVERIFY(afterDeadline.at(i) != beforeDeadline.at(i));

        // The key is in no file of the project.
        store->reset();
        QDirIterator it(m_tmp.filePath(QStringLiteral("project")), QDir::Files, QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(!f.readAll().contains(kKey), qPrintable(f.fileName()));
            ++files;
        }
        QVERIFY(files >= 1);
    }
};

QTEST_MAIN(TestGenerateOpenAi)
#include "test_generate_openai.moc"
