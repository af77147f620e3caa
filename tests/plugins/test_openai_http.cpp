// Tests of the OpenAI-compatible HTTP backend (plugins/generator_openai_http),
// loaded through QPluginLoader from the build tree, against a minimal
// HTTP/1.1 server that runs inside the test on its own thread and replays
// the answer shapes of vLLM, llama.cpp's server and Ollama.

#include "core/generate/builtingenerator.h"
#include "core/generate/igenerator.h"
#include "tests/support/httptestserver.h"

#include <QBuffer>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QPluginLoader>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QUuid>

#include <atomic>
#include <functional>
#include <thread>

using namespace rs;
using rs::test::HttpRequest;
using rs::test::HttpResponse;
using rs::test::TestServer;
using rs::test::Responder;
using rs::test::reply;

namespace {

// --- Answer bodies in the shapes the three servers really send -------------

QByteArray vllmAnswer(const QString &content, const QString &finish = QStringLiteral("stop"))
{
    const QJsonObject o{
        {QStringLiteral("id"), QStringLiteral("chatcmpl-9b1f0c2e4d6a4f0e8c3b2a1d0e9f8a7b")},
        {QStringLiteral("object"), QStringLiteral("chat.completion")},
        {QStringLiteral("created"), 1718203921},
        {QStringLiteral("model"), QStringLiteral("meta-llama/Meta-Llama-3-8B-Instruct")},
        {QStringLiteral("choices"), QJsonArray{QJsonObject{
                                        {QStringLiteral("index"), 0},
                                        {QStringLiteral("message"), QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                                                {QStringLiteral("content"), content},
                                                                                {QStringLiteral("tool_calls"), QJsonArray{}}}},
                                        {QStringLiteral("logprobs"), QJsonValue::Null},
                                        {QStringLiteral("finish_reason"), finish},
                                        {QStringLiteral("stop_reason"), QJsonValue::Null}}}},
        {QStringLiteral("usage"), QJsonObject{{QStringLiteral("prompt_tokens"), 187}, {QStringLiteral("total_tokens"), 221},
                                              {QStringLiteral("completion_tokens"), 34}}},
        {QStringLiteral("prompt_logprobs"), QJsonValue::Null}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// llama.cpp's server: key order as it prints them, its own "timings" block.
QByteArray llamaCppAnswer(const QString &content)
{
    const QJsonObject o{
        {QStringLiteral("choices"), QJsonArray{QJsonObject{{QStringLiteral("finish_reason"), QStringLiteral("length")},
                                                           {QStringLiteral("index"), 0},
                                                           {QStringLiteral("message"), QJsonObject{{QStringLiteral("content"), content},
                                                                                                   {QStringLiteral("role"), QStringLiteral("assistant")}}}}}},
        {QStringLiteral("created"), 1718203999},
        {QStringLiteral("model"), QStringLiteral("gpt-3.5-turbo")},
        {QStringLiteral("object"), QStringLiteral("chat.completion")},
        {QStringLiteral("usage"), QJsonObject{{QStringLiteral("completion_tokens"), 64}, {QStringLiteral("prompt_tokens"), 152},
                                              {QStringLiteral("total_tokens"), 216}}},
        {QStringLiteral("id"), QStringLiteral("chatcmpl-Tq0u5yVf3kQx1hXyU2z3P4m5n6o7p8q9")},
        {QStringLiteral("timings"), QJsonObject{{QStringLiteral("prompt_n"), 152}, {QStringLiteral("prompt_ms"), 210.4},
                                                {QStringLiteral("predicted_n"), 64}, {QStringLiteral("predicted_ms"), 1630.2}}}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray ollamaAnswer(const QString &content)
{
    const QJsonObject o{
        {QStringLiteral("id"), QStringLiteral("chatcmpl-417")},
        {QStringLiteral("object"), QStringLiteral("chat.completion")},
        {QStringLiteral("created"), 1718204100},
        {QStringLiteral("model"), QStringLiteral("llava:7b")},
        {QStringLiteral("system_fingerprint"), QStringLiteral("fp_ollama")},
        {QStringLiteral("choices"), QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                                           {QStringLiteral("message"), QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                                                                   {QStringLiteral("content"), content}}},
                                                           {QStringLiteral("finish_reason"), QStringLiteral("stop")}}}},
        {QStringLiteral("usage"), QJsonObject{{QStringLiteral("prompt_tokens"), 612}, {QStringLiteral("completion_tokens"), 27},
                                              {QStringLiteral("total_tokens"), 639}}}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// Content as a list of parts (newer OpenAI-style servers, some proxies).
QByteArray partsAnswer(const QStringList &parts)
{
    QJsonArray arr;
    for (const QString &p : parts)
        arr << QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), p}};
    const QJsonObject o{
        {QStringLiteral("id"), QStringLiteral("chatcmpl-parts-1")},
        {QStringLiteral("object"), QStringLiteral("chat.completion")},
        {QStringLiteral("created"), 1718204200},
        {QStringLiteral("model"), QStringLiteral("Qwen/Qwen2-VL-7B-Instruct")},
        {QStringLiteral("choices"), QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                                           {QStringLiteral("message"), QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                                                                   {QStringLiteral("content"), arr}}},
                                                           {QStringLiteral("finish_reason"), QStringLiteral("stop")}}}},
        {QStringLiteral("usage"), QJsonObject{{QStringLiteral("prompt_tokens"), 90}, {QStringLiteral("completion_tokens"), 12},
                                              {QStringLiteral("total_tokens"), 102}}}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray openAiError(const QString &message, const QString &type, int code)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), QJsonObject{{QStringLiteral("message"), message},
                                                                           {QStringLiteral("type"), type},
                                                                           {QStringLiteral("param"), QJsonValue::Null},
                                                                           {QStringLiteral("code"), code}}}})
        .toJson(QJsonDocument::Compact);
}

GenerationInput sampleInput(const QString &text = QStringLiteral("The 1931 Ford Model A pickup restored by the Halvorsen family."))
{
    GenerationInput in;
    in.imageId = 7;
    in.realisticTexts = {text, QStringLiteral("A second, weaker match.")};
    in.caption = QStringLiteral("a red pickup truck parked on grass");
    in.tags = {QStringLiteral("truck"), QStringLiteral("grass"), QStringLiteral("car")};
    Finding line;
    line.kind = QStringLiteral("ocr");
    line.level = QStringLiteral("line");
    line.text = QStringLiteral("FORD");
    line.confidence = 0.93;
    Finding face;
    face.kind = QStringLiteral("face");
    face.text = QStringLiteral("face");
    face.confidence = 0.8;
    in.findings = {line, face};
    return in;
}

QImage solidImage(int w, int h, QColor c)
{
    QImage img(w, h, QImage::Format_RGB888);
    img.fill(c);
    return img;
}

} // namespace

class TestOpenAiHttp : public QObject {
    Q_OBJECT

    QPluginLoader m_loader;
    IGeneratorPlugin *m_plugin = nullptr;

    QVariantMap baseOptions(const TestServer &server, QVariantMap extra = {}) const
    {
        QVariantMap o{{QStringLiteral("endpoint"), server.endpoint()},
                      {QStringLiteral("model"), QStringLiteral("test-model")},
                      {QStringLiteral("timeout_ms"), 5000},
                      {QStringLiteral("backoff_ms"), 10},
                      {QStringLiteral("api_key_env"), QStringLiteral("REALSYN_TEST_UNSET_KEY_VAR")}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            o.insert(it.key(), it.value());
        return o;
    }

    std::shared_ptr<IGenerator> generator(const QVariantMap &options)
    {
        Result<std::shared_ptr<IGenerator>> g = m_plugin->createGenerator(options);
        if (!g) {
            qWarning("%s", qPrintable(g.error().toString()));
            return {};
        }
        return g.value();
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString dir = qEnvironmentVariableIsSet("REALSYN_BUILD_DIR")
            ? qEnvironmentVariable("REALSYN_BUILD_DIR") + QStringLiteral("/plugins")
            : QStringLiteral(REALSYN_PLUGIN_DIR);
        const QString path = QDir(dir).absoluteFilePath(QStringLiteral("generator_openai_http.so"));
        QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        m_loader.setFileName(path);
        // The metadata is readable before the library is instantiated.
        const QJsonObject meta = m_loader.metaData();
        QCOMPARE(meta.value(QStringLiteral("IID")).toString(), QStringLiteral(RealSyn_IGeneratorPlugin_iid));
        QCOMPARE(meta.value(QStringLiteral("MetaData")).toObject().value(QStringLiteral("backend")).toString(), QStringLiteral("openai"));
        QObject *instance = m_loader.instance();
        QVERIFY2(instance, qPrintable(m_loader.errorString()));
        m_plugin = qobject_cast<IGeneratorPlugin *>(instance);
        QVERIFY(m_plugin);
        QCOMPARE(m_plugin->backend(), QStringLiteral("openai"));
        qunsetenv("REALSYN_TEST_UNSET_KEY_VAR");
    }

    void answerShapes_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("finish");
        QTest::addColumn<int>("promptTokens");
        QTest::addColumn<int>("completionTokens");

        const QString t = QStringLiteral("A restored red 1931 Ford Model A pickup, its grille lettered FORD, parked on grass.");
        QTest::newRow("vllm") << vllmAnswer(t) << t << QStringLiteral("meta-llama/Meta-Llama-3-8B-Instruct") << QStringLiteral("stop") << 187 << 34;
        QTest::newRow("llama.cpp") << llamaCppAnswer(t) << t << QStringLiteral("gpt-3.5-turbo") << QStringLiteral("length") << 152 << 64;
        QTest::newRow("ollama") << ollamaAnswer(t) << t << QStringLiteral("llava:7b") << QStringLiteral("stop") << 612 << 27;
        QTest::newRow("content parts") << partsAnswer({QStringLiteral("A restored red 1931 Ford Model A pickup, "),
                                                       QStringLiteral("its grille lettered FORD, parked on grass.")})
                                       << t << QStringLiteral("Qwen/Qwen2-VL-7B-Instruct") << QStringLiteral("stop") << 90 << 12;
        QTest::newRow("padded content") << vllmAnswer(QStringLiteral("\n  ") + t + QStringLiteral("  \n")) << t
                                        << QStringLiteral("meta-llama/Meta-Llama-3-8B-Instruct") << QStringLiteral("stop") << 187 << 34;
    }

    void answerShapes()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, text);
        QFETCH(QString, model);
        QFETCH(QString, finish);
        QFETCH(int, promptTokens);
        QFETCH(int, completionTokens);

        TestServer server([&](const HttpRequest &, int) { return reply(200, body); });
        auto gen = generator(baseOptions(server));
        QVERIFY(gen);
        JobContext ctx;
        const QVector<Result<GeneratedText>> out = gen->generate({sampleInput()}, ctx);
        QCOMPARE(out.size(), 1);
        QVERIFY2(out[0].ok(), qPrintable(out[0].ok() ? QString() : out[0].error().toString()));
        const GeneratedText &g = out[0].value();
        QCOMPARE(g.text, text);
        QCOMPARE(g.model, model);
        QCOMPARE(g.provenance.value(QStringLiteral("finish_reason")).toString(), finish);
        QCOMPARE(g.provenance.value(QStringLiteral("usage")).toObject().value(QStringLiteral("prompt_tokens")).toInt(), promptTokens);
        QCOMPARE(g.provenance.value(QStringLiteral("usage")).toObject().value(QStringLiteral("completion_tokens")).toInt(), completionTokens);
        QCOMPARE(g.provenance.value(QStringLiteral("requested_model")).toString(), QStringLiteral("test-model"));
        QCOMPARE(g.provenance.value(QStringLiteral("prompt_version")).toString(), generationPromptVersion());
        QCOMPARE(g.provenance.value(QStringLiteral("attempts")).toInt(), 1);
        QCOMPARE(g.provenance.value(QStringLiteral("evidence")).toArray(),
                 (QJsonArray{QStringLiteral("caption"), QStringLiteral("tags"), QStringLiteral("ocr"), QStringLiteral("faces")}));

        // What went over the wire: the chat-completions protocol, our instruction, the evidence laid out.
        const QList<HttpRequest> reqs = server.requests();
        QCOMPARE(reqs.size(), 1);
        QCOMPARE(reqs[0].method, QByteArray("POST"));
        QCOMPARE(reqs[0].path, QByteArray("/v1/chat/completions"));
        QCOMPARE(reqs[0].headers.value("content-type"), QByteArray("application/json"));
        QVERIFY(!reqs[0].headers.contains("authorization"));
        const QJsonObject req = reqs[0].json();
        QCOMPARE(req.value(QStringLiteral("model")).toString(), QStringLiteral("test-model"));
        QCOMPARE(req.value(QStringLiteral("max_tokens")).toInt(), 256);
        const QJsonArray messages = req.value(QStringLiteral("messages")).toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages[0].toObject().value(QStringLiteral("role")).toString(), QStringLiteral("system"));
        QCOMPARE(messages[0].toObject().value(QStringLiteral("content")).toString(), defaultGenerationInstruction());
        const QString user = messages[1].toObject().value(QStringLiteral("content")).toString();
        QVERIFY2(user.contains(QStringLiteral("1. The 1931 Ford Model A pickup restored by the Halvorsen family.")), qPrintable(user));
        QVERIFY2(user.contains(QStringLiteral("2. A second, weaker match.")), qPrintable(user));
        QVERIFY2(user.contains(QStringLiteral("Image caption: a red pickup truck parked on grass")), qPrintable(user));
        QVERIFY2(user.contains(QStringLiteral("Visual tags: truck | grass | car")), qPrintable(user));
        QVERIFY2(user.contains(QStringLiteral("Text read in the image (OCR): \"FORD\"")), qPrintable(user));
        QVERIFY2(user.contains(QStringLiteral("Faces detected: 1")), qPrintable(user));
    }

    void malformedAnswers_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("needle");

        QTest::newRow("invalid JSON") << 200 << QByteArray("{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\":{\"content\":\"trunc")
                                      << int(ErrorCode::ParseError) << QStringLiteral("invalid JSON");
        QTest::newRow("not JSON at all") << 200 << QByteArray("<html><body>It works!</body></html>") << int(ErrorCode::ParseError)
                                         << QStringLiteral("invalid JSON");
        QTest::newRow("no choices") << 200 << QByteArray("{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"choices\":[]}")
                                    << int(ErrorCode::ParseError) << QStringLiteral("no choices");
        QTest::newRow("no message") << 200 << QByteArray("{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\"}]}")
                                    << int(ErrorCode::ParseError) << QStringLiteral("no message");
        QTest::newRow("empty content, length") << 200 << vllmAnswer(QStringLiteral("   "), QStringLiteral("length"))
                                               << int(ErrorCode::ParseError) << QStringLiteral("content is empty (finish_reason: length)");
        QTest::newRow("null content") << 200
                                      << QByteArray("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null},\"finish_reason\":\"stop\"}]}")
                                      << int(ErrorCode::ParseError) << QStringLiteral("content is empty");
        QTest::newRow("openai error body 400") << 400
                                               << openAiError(QStringLiteral("This model's maximum context length is 8192 tokens."),
                                                              QStringLiteral("BadRequestError"), 400)
                                               << int(ErrorCode::IoError) << QStringLiteral("HTTP 400: This model's maximum context length is 8192 tokens.");
        QTest::newRow("vllm object error 404") << 404
                                               << QByteArray("{\"object\":\"error\",\"message\":\"The model `llama3` does not exist.\",\"type\":\"NotFoundError\",\"param\":null,\"code\":404}")
                                               << int(ErrorCode::IoError) << QStringLiteral("HTTP 404: The model `llama3` does not exist.");
        QTest::newRow("ollama string error 404") << 404 << QByteArray("{\"error\":\"model \\\"llava\\\" not found, try pulling it first\"}")
                                                 << int(ErrorCode::IoError) << QStringLiteral("HTTP 404: model \"llava\" not found, try pulling it first");
        QTest::newRow("error body with 200") << 200 << QByteArray("{\"error\":{\"message\":\"image input is not supported\",\"type\":\"invalid_request_error\"}}")
                                             << int(ErrorCode::IoError) << QStringLiteral("server error: image input is not supported");
        QTest::newRow("html 400") << 400 << QByteArray("<html><head><title>400 Bad Request</title></head></html>")
                                  << int(ErrorCode::IoError) << QStringLiteral("HTTP 400: <html><head><title>400 Bad Request");
    }

    void malformedAnswers()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(int, code);
        QFETCH(QString, needle);

        TestServer server([&](const HttpRequest &, int) { return reply(status, body); });
        auto gen = generator(baseOptions(server));
        JobContext ctx;
        // Two items: one malformed answer must not take the other down.
        const QVector<Result<GeneratedText>> out = gen->generate({sampleInput(), sampleInput()}, ctx);
        QCOMPARE(out.size(), 2);
        for (const auto &r : out) {
            QVERIFY(!r.ok());
            QCOMPARE(int(r.error().code), code);
            QVERIFY2(r.error().message.contains(needle), qPrintable(r.error().message));
        }
        QCOMPARE(out[1].error().context, QStringLiteral("item 1"));
        QCOMPARE(server.requests().size(), 2); // 4xx and parse errors are not retried
    }

    void slowAnswerTimesOut()
    {
        TestServer server([](const HttpRequest &, int) {
            HttpResponse r = reply(200, vllmAnswer(QStringLiteral("too late")));
            r.delayMs = 3000;
            return r;
        });
        auto gen = generator(baseOptions(server, {{QStringLiteral("timeout_ms"), 300}}));
        JobContext ctx;
        QElapsedTimer clock;
        clock.start();
        const auto out = gen->generate({sampleInput()}, ctx);
        const qint64 ms = clock.elapsed();
        QVERIFY(!out[0].ok());
        QCOMPARE(out[0].error().code, ErrorCode::IoError);
        QVERIFY2(out[0].error().message.contains(QStringLiteral("timed out")), qPrintable(out[0].error().message));
        QVERIFY2(out[0].error().message.contains(QStringLiteral("300 ms")), qPrintable(out[0].error().message));
        QVERIFY2(ms >= 280 && ms < 2000, qPrintable(QString::number(ms)));
        QCOMPARE(server.requests().size(), 1); // a timeout is not retried
    }

    void retryAfter429()
    {
        TestServer server([](const HttpRequest &, int index) {
            if (index == 0) {
                HttpResponse r = reply(429, openAiError(QStringLiteral("Rate limit reached"), QStringLiteral("rate_limit_error"), 429));
                r.headers << qMakePair(QByteArray("Retry-After"), QByteArray("1"));
                return r;
            }
            return reply(200, vllmAnswer(QStringLiteral("after the wait")));
        });
        auto gen = generator(baseOptions(server));
        JobContext ctx;
        QElapsedTimer clock;
        clock.start();
        const auto out = gen->generate({sampleInput()}, ctx);
        const qint64 ms = clock.elapsed();
        QVERIFY2(out[0].ok(), qPrintable(out[0].ok() ? QString() : out[0].error().toString()));
        QCOMPARE(out[0].value().text, QStringLiteral("after the wait"));
        QCOMPARE(out[0].value().provenance.value(QStringLiteral("attempts")).toInt(), 2);
        QCOMPARE(server.requests().size(), 2);
        // backoff_ms is 10: only honouring Retry-After: 1 explains a wait of about a second.
        QVERIFY2(ms >= 950, qPrintable(QString::number(ms)));
        QVERIFY2(ms < 4000, qPrintable(QString::number(ms)));
    }

    void serverErrorThenSuccess_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("vllm 500") << 500 << openAiError(QStringLiteral("CUDA out of memory"), QStringLiteral("InternalServerError"), 500);
        QTest::newRow("llama.cpp 503 loading") << 503 << QByteArray("{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}");
        QTest::newRow("proxy 502 html") << 502 << QByteArray("<html><body>502 Bad Gateway</body></html>");
    }

    void serverErrorThenSuccess()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        TestServer server([&](const HttpRequest &, int index) {
            return index == 0 ? reply(status, body) : reply(200, ollamaAnswer(QStringLiteral("second time lucky")));
        });
        auto gen = generator(baseOptions(server));
        JobContext ctx;
        const auto out = gen->generate({sampleInput()}, ctx);
        QVERIFY2(out[0].ok(), qPrintable(out[0].ok() ? QString() : out[0].error().toString()));
        QCOMPARE(out[0].value().text, QStringLiteral("second time lucky"));
        QCOMPARE(out[0].value().provenance.value(QStringLiteral("attempts")).toInt(), 2);
        QCOMPARE(server.requests().size(), 2);
    }

    void persistent500GivesUp()
    {
        TestServer server([](const HttpRequest &, int) {
            return reply(500, openAiError(QStringLiteral("engine crashed"), QStringLiteral("InternalServerError"), 500));
        });
        auto gen = generator(baseOptions(server, {{QStringLiteral("retries"), 2}}));
        JobContext ctx;
        const auto out = gen->generate({sampleInput()}, ctx);
        QVERIFY(!out[0].ok());
        QCOMPARE(out[0].error().code, ErrorCode::IoError);
        QCOMPARE(out[0].error().message, QStringLiteral("HTTP 500: engine crashed (after 3 attempts)"));
        QCOMPARE(server.requests().size(), 3);
    }

    void backoffGrows()
    {
        // Three 503s without Retry-After, backoff 100 ms: waits of ~100, ~200, ~400 ms (+-25%).
        TestServer server([](const HttpRequest &, int index) {
            return index < 3 ? reply(503, QByteArray("{\"error\":\"busy\"}")) : reply(200, vllmAnswer(QStringLiteral("ok")));
        });
        auto gen = generator(baseOptions(server, {{QStringLiteral("backoff_ms"), 100}}));
        JobContext ctx;
        QElapsedTimer clock;
        clock.start();
        const auto out = gen->generate({sampleInput()}, ctx);
        const qint64 ms = clock.elapsed();
        QVERIFY(out[0].ok());
        QCOMPARE(out[0].value().provenance.value(QStringLiteral("attempts")).toInt(), 4);
        QVERIFY2(ms >= 0.75 * 700 && ms < 3000, qPrintable(QString::number(ms)));
    }

    void cancellationMidFlight()
    {
        JobContext ctx;
        TestServer server([](const HttpRequest &, int) {
            HttpResponse r;
            r.hang = true;
            return r;
        });
        // The server cancels the job once two requests are waiting on it.
        server.onRequest = [&ctx](int count) {
            if (count == 2)
                ctx.cancel();
        };
        auto gen = generator(baseOptions(server, {{QStringLiteral("concurrency"), 2}, {QStringLiteral("timeout_ms"), 20000}}));
        QVector<GenerationInput> batch(6, sampleInput());
        QElapsedTimer clock;
        clock.start();
        const auto out = gen->generate(batch, ctx);
        QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(out.size(), 6);
        for (const auto &r : out) {
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, ErrorCode::Canceled);
        }
        QVERIFY(out[0].error().message.contains(QStringLiteral("in flight")));
        QVERIFY(out[5].error().message.contains(QStringLiteral("before the request was sent")));
        QCOMPARE(server.requests().size(), 2); // nothing was sent after the cancel
        QTRY_COMPARE(server.abortedByClient(), 2); // and the pending requests were really aborted
    }

    void canceledBeforeStartSendsNothing()
    {
        TestServer server([](const HttpRequest &, int) { return reply(200, vllmAnswer(QStringLiteral("x"))); });
        auto gen = generator(baseOptions(server));
        JobContext ctx;
        ctx.cancel();
        const auto out = gen->generate({sampleInput(), sampleInput()}, ctx);
        QCOMPARE(out.size(), 2);
        QCOMPARE(out[1].error().code, ErrorCode::Canceled);
        QCOMPARE(server.requests().size(), 0);
    }

    void concurrencyReachesLimit_data()
    {
        QTest::addColumn<int>("limit");
        QTest::newRow("default 4") << 4;
        QTest::newRow("1") << 1;
        QTest::newRow("8, more than Qt's 6 per host") << 8;
    }

    void concurrencyReachesLimit()
    {
        QFETCH(int, limit);
        // Each answer echoes the item's realistic text, so the order can be checked.
        TestServer server([](const HttpRequest &req, int) {
            const QString user = req.json().value(QStringLiteral("messages")).toArray()[1].toObject().value(QStringLiteral("content")).toString();
            const QString first = user.section(QLatin1Char('\n'), 1, 1).mid(3); // "1. <text>"
            HttpResponse r = reply(200, vllmAnswer(QStringLiteral("echo: ") + first));
            r.delayMs = 300;
            return r;
        });
        QVariantMap extra{{QStringLiteral("timeout_ms"), 10000}};
        if (limit != 4)
            extra.insert(QStringLiteral("concurrency"), limit);
        auto gen = generator(baseOptions(server, extra));
        QVector<GenerationInput> batch;
        for (int i = 0; i < 2 * limit + 1; ++i)
            batch << sampleInput(QStringLiteral("text number %1").arg(i));
        JobContext ctx;
        const auto out = gen->generate(batch, ctx);
        QCOMPARE(out.size(), batch.size());
        for (int i = 0; i < out.size(); ++i) {
            QVERIFY2(out[i].ok(), qPrintable(out[i].ok() ? QString() : out[i].error().toString()));
            QCOMPARE(out[i].value().text, QStringLiteral("echo: text number %1").arg(i));
        }
        QCOMPARE(server.maxInFlight(), limit);
        QCOMPARE(server.requests().size(), batch.size());
    }

    void workerThreadWithoutEventLoop()
    {
        TestServer server([](const HttpRequest &, int) { return reply(200, llamaCppAnswer(QStringLiteral("from a plain thread"))); });
        auto gen = generator(baseOptions(server));
        QVector<Result<GeneratedText>> out;
        std::thread worker([&] {
            JobContext ctx;
            out = gen->generate({sampleInput(), sampleInput()}, ctx);
        });
        worker.join();
        QCOMPARE(out.size(), 2);
        QVERIFY(out[0].ok() && out[1].ok());
        QCOMPARE(out[1].value().text, QStringLiteral("from a plain thread"));
    }

    void captionerSendsImageAndKey()
    {
        const QByteArray envName = "REALSYN_TEST_KEY_" + QUuid::createUuid().toByteArray(QUuid::Id128).left(8).toUpper();
        const QByteArray key = "sk-test-" + QUuid::createUuid().toByteArray(QUuid::Id128);
        qputenv(envName.constData(), key);
        TestServer server([](const HttpRequest &, int) { return reply(200, ollamaAnswer(QStringLiteral("\"A red banner.\"\nExtra line."))); });
        Result<std::shared_ptr<ICaptioner>> cap = m_plugin->createCaptioner(
            baseOptions(server, {{QStringLiteral("api_key_env"), QString::fromLatin1(envName)}, {QStringLiteral("max_image_side"), 512}}));
        QVERIFY(cap);
        CaptionInput in;
        in.imageId = 3;
        in.image = solidImage(1200, 600, QColor(220, 20, 30));
        CaptionInput noImage;
        JobContext ctx;
        const QVector<Result<QString>> out = cap.value()->caption({in, noImage}, ctx);
        qunsetenv(envName.constData());
        QCOMPARE(out.size(), 2);
        QVERIFY(out[0].ok());
        QCOMPARE(out[0].value(), QStringLiteral("A red banner."));
        QVERIFY(!out[1].ok());
        QCOMPARE(out[1].error().code, ErrorCode::InvalidArgument);

        const QList<HttpRequest> reqs = server.requests();
        QCOMPARE(reqs.size(), 1);
        QCOMPARE(reqs[0].headers.value("authorization"), QByteArray(QByteArray("Bearer ") + key));
        const QJsonArray parts = reqs[0].json().value(QStringLiteral("messages")).toArray()[1].toObject().value(QStringLiteral("content")).toArray();
        QString url;
        for (const QJsonValue &p : parts)
            if (p.toObject().value(QStringLiteral("type")).toString() == QLatin1String("image_url"))
                url = p.toObject().value(QStringLiteral("image_url")).toObject().value(QStringLiteral("url")).toString();
        QVERIFY2(url.startsWith(QStringLiteral("data:image/jpeg;base64,")), qPrintable(url.left(40)));
        const QImage sent = QImage::fromData(QByteArray::fromBase64(url.mid(url.indexOf(QLatin1Char(',')) + 1).toLatin1()), "JPG");
        QVERIFY(!sent.isNull());
        QCOMPARE(sent.size(), QSize(512, 256)); // downscaled to max_image_side, aspect kept
        const QColor c = sent.pixelColor(256, 128);
        QVERIFY2(qAbs(c.red() - 220) < 12 && qAbs(c.green() - 20) < 12 && qAbs(c.blue() - 30) < 12, qPrintable(c.name()));
    }

    void generatorSendsImageOnlyWhenAsked()
    {
        TestServer server([](const HttpRequest &, int) { return reply(200, vllmAnswer(QStringLiteral("ok"))); });
        GenerationInput in = sampleInput();
        in.image = solidImage(64, 48, Qt::blue);
        JobContext ctx;
        QVERIFY(generator(baseOptions(server))->generate({in}, ctx)[0].ok());
        const auto withImage = generator(baseOptions(server, {{QStringLiteral("send_image"), true}}))->generate({in}, ctx);
        QVERIFY(withImage[0].ok());
        QCOMPARE(withImage[0].value().provenance.value(QStringLiteral("image_sent")).toBool(), true);
        const QList<HttpRequest> reqs = server.requests();
        QCOMPARE(reqs.size(), 2);
        QVERIFY(reqs[0].json().value(QStringLiteral("messages")).toArray()[1].toObject().value(QStringLiteral("content")).isString());
        const QJsonArray parts = reqs[1].json().value(QStringLiteral("messages")).toArray()[1].toObject().value(QStringLiteral("content")).toArray();
        QCOMPARE(parts.size(), 2);
        QCOMPARE(parts[0].toObject().value(QStringLiteral("type")).toString(), QStringLiteral("image_url"));
        QCOMPARE(parts[1].toObject().value(QStringLiteral("type")).toString(), QStringLiteral("text"));
    }

    void keyNeverLeaks()
    {
        const QByteArray envName = "REALSYN_TEST_KEY_LEAK";
        const QString key = QStringLiteral("sk-proj-") + QUuid::createUuid().toString(QUuid::Id128);
        qputenv(envName.constData(), key.toUtf8());
        // A hostile or careless server echoes the key in an error, in an
        // answer's content, in its model name and in usage.
        TestServer server([key](const HttpRequest &req, int index) {
            if (index % 2 == 0)
                return reply(401, openAiError(QStringLiteral("Incorrect API key provided: ") + key, QStringLiteral("invalid_request_error"), 401));
            QJsonObject o = QJsonDocument::fromJson(vllmAnswer(QStringLiteral("text with ") + key)).object();
            o.insert(QStringLiteral("model"), key);
            o.insert(QStringLiteral("usage"), QJsonObject{{QStringLiteral("note"), key}, {QStringLiteral("prompt_tokens"), 3}});
            return reply(200, QJsonDocument(o).toJson());
        });
        const QVariantMap options = baseOptions(server, {{QStringLiteral("api_key_env"), QString::fromLatin1(envName)},
                                                         {QStringLiteral("concurrency"), 1}});
        auto gen = generator(options);
        JobContext ctx;
        const auto out = gen->generate({sampleInput(), sampleInput()}, ctx);
        qunsetenv(envName.constData());
        QCOMPARE(server.requests().size(), 2);
        QCOMPARE(server.requests()[0].headers.value("authorization"), QByteArray("Bearer " + key.toUtf8())); // it was sent...
        QVERIFY(!out[0].ok());
        QVERIFY2(!out[0].error().toString().contains(key), qPrintable(out[0].error().toString()));
        QVERIFY2(out[0].error().message.contains(QStringLiteral("Incorrect API key provided: [redacted]")), qPrintable(out[0].error().message));
        QVERIFY(out[1].ok());
        const GeneratedText &g = out[1].value();
        const QString all = QString::fromUtf8(QJsonDocument(g.provenance).toJson()) + g.text + g.model;
        QVERIFY2(!all.contains(key), qPrintable(all));
        QCOMPARE(g.text, QStringLiteral("text with [redacted]"));
        // ...and is in none of the settings a project or recipe would store.
        for (auto it = options.begin(); it != options.end(); ++it)
            QVERIFY(!it.value().toString().contains(key));
    }

    // Issue 11: a 307 to another port received the bearer key on every
    // request. Only same-origin redirects may be followed.
    void crossOriginRedirectNeverGetsTheKey()
    {
        const QByteArray envName = "REALSYN_TEST_KEY_REDIRECT";
        const QString key = QStringLiteral("sk-redirect-") + QUuid::createUuid().toString(QUuid::Id128);
        qputenv(envName.constData(), key.toUtf8());
        TestServer elsewhere([](const HttpRequest &, int) { return reply(200, vllmAnswer(QStringLiteral("stolen"))); });
        const QByteArray location = QString(elsewhere.endpoint() + QStringLiteral("/chat/completions")).toUtf8();
        TestServer server([location](const HttpRequest &, int) {
            HttpResponse r = reply(307, QByteArray());
            r.headers << qMakePair(QByteArray("Location"), location);
            return r;
        });
        auto gen = generator(baseOptions(server, {{QStringLiteral("api_key_env"), QString::fromLatin1(envName)}, {QStringLiteral("retries"), 0}}));
        JobContext ctx;
        const auto out = gen->generate({sampleInput(), sampleInput()}, ctx);
        qunsetenv(envName.constData());
        QCOMPARE(server.requests().size(), 2);
        QCOMPARE(server.requests()[0].headers.value("authorization"), QByteArray("Bearer " + key.toUtf8()));
        QCOMPARE(elsewhere.requests().size(), 0); // the other port never hears from us, key or not
        for (const auto &r : out) {
            QVERIFY(!r.ok());
            QVERIFY2(r.error().message.contains(QStringLiteral("another origin")), qPrintable(r.error().message));
            QVERIFY(!r.error().toString().contains(key));
        }
    }

    void sameOriginRedirectIsFollowed()
    {
        const QByteArray envName = "REALSYN_TEST_KEY_REDIRECT";
        qputenv(envName.constData(), "sk-same-origin-key");
        TestServer *self = nullptr;
        TestServer server([&self](const HttpRequest &req, int) {
            if (req.path.startsWith("/v1/")) {
                HttpResponse r = reply(308, QByteArray());
                r.headers << qMakePair(QByteArray("Location"), QString(self->endpoint().replace(QStringLiteral("/v1"), QStringLiteral("/v2"))
                                                                        + QStringLiteral("/chat/completions")).toUtf8());
                return r;
            }
            return reply(200, vllmAnswer(QStringLiteral("moved but same server")));
        });
        self = &server;
        auto gen = generator(baseOptions(server, {{QStringLiteral("api_key_env"), QString::fromLatin1(envName)}}));
        JobContext ctx;
        const auto out = gen->generate({sampleInput()}, ctx);
        qunsetenv(envName.constData());
        QVERIFY2(out[0].ok(), qPrintable(out[0].ok() ? QString() : out[0].error().toString()));
        QCOMPARE(out[0].value().text, QStringLiteral("moved but same server"));
        QCOMPARE(server.requests().size(), 2);
        QCOMPARE(server.requests()[1].path, QByteArray("/v2/chat/completions"));
        QCOMPARE(server.requests()[1].headers.value("authorization"), QByteArray("Bearer sk-same-origin-key"));
    }

    void badOptions_data()
    {
        QTest::addColumn<QVariantMap>("options");
        QTest::addColumn<QString>("key");
        const QString ep = QStringLiteral("http://127.0.0.1:8000/v1");
        const QString m = QStringLiteral("llama3");
        QTest::newRow("no endpoint") << QVariantMap{{QStringLiteral("model"), m}} << QStringLiteral("endpoint");
        QTest::newRow("ftp endpoint") << QVariantMap{{QStringLiteral("endpoint"), QStringLiteral("ftp://host/v1")}, {QStringLiteral("model"), m}} << QStringLiteral("endpoint");
        QTest::newRow("no model") << QVariantMap{{QStringLiteral("endpoint"), ep}} << QStringLiteral("model");
        QTest::newRow("concurrency 0") << QVariantMap{{QStringLiteral("endpoint"), ep}, {QStringLiteral("model"), m}, {QStringLiteral("concurrency"), 0}}
                                       << QStringLiteral("concurrency");
        QTest::newRow("timeout text") << QVariantMap{{QStringLiteral("endpoint"), ep}, {QStringLiteral("model"), m}, {QStringLiteral("timeout_ms"), QStringLiteral("soon")}}
                                      << QStringLiteral("timeout_ms");
        QTest::newRow("temperature 5") << QVariantMap{{QStringLiteral("endpoint"), ep}, {QStringLiteral("model"), m}, {QStringLiteral("temperature"), 5.0}}
                                       << QStringLiteral("temperature");
        QTest::newRow("key as option") << QVariantMap{{QStringLiteral("endpoint"), ep}, {QStringLiteral("model"), m}, {QStringLiteral("api_key"), QStringLiteral("sk-x")}}
                                       << QStringLiteral("api_key");
        QTest::newRow("key in api_key_env") << QVariantMap{{QStringLiteral("endpoint"), ep}, {QStringLiteral("model"), m}, {QStringLiteral("api_key_env"), QStringLiteral("sk-abc.def")}}
                                            << QStringLiteral("api_key_env");
    }

    void badOptions()
    {
        QFETCH(QVariantMap, options);
        QFETCH(QString, key);
        const auto g = m_plugin->createGenerator(options);
        QVERIFY(!g.ok());
        QCOMPARE(g.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(g.error().context, key);
        const auto c = m_plugin->createCaptioner(options);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().context, key);
    }

    void connectionRefusedIsAnItemError()
    {
        quint16 port;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        auto gen = generator({{QStringLiteral("endpoint"), QStringLiteral("http://127.0.0.1:%1/v1").arg(port)},
                              {QStringLiteral("model"), QStringLiteral("m")},
                              {QStringLiteral("retries"), 1},
                              {QStringLiteral("backoff_ms"), 10}});
        JobContext ctx;
        const auto out = gen->generate({sampleInput()}, ctx);
        QVERIFY(!out[0].ok());
        QCOMPARE(out[0].error().code, ErrorCode::IoError);
        QVERIFY2(out[0].error().message.contains(QStringLiteral("request failed")), qPrintable(out[0].error().message));
        QVERIFY2(out[0].error().message.contains(QStringLiteral("after 2 attempts")), qPrintable(out[0].error().message));
    }
};

QTEST_GUILESS_MAIN(TestOpenAiHttp)
#include "test_openai_http.moc"
