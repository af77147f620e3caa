#include "plugins/generator_openai_http/openaigenerator.h"

#include "plugins/generator_openai_http/chatmessages.h"

#include "core/generate/builtingenerator.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>

namespace rs {

QString OpenAiGenerator::name() const
{
    return QStringLiteral("openai-http:") + m_client.options().model;
}

QVector<Result<GeneratedText>> OpenAiGenerator::generate(const QVector<GenerationInput> &batch, JobContext &ctx)
{
    const OpenAiOptions &opt = m_client.options();
    QVector<Result<GeneratedText>> out(batch.size(), makeError(ErrorCode::Internal, QStringLiteral("not processed")));
    QVector<QJsonObject> bodies;
    QVector<int> sentIndex; // position in `batch` of each body
    for (int i = 0; i < batch.size(); ++i) {
        const GenerationInput &in = batch[i];
        QStringList used;
        ChatMessages::evidenceText(in, &used);
        const bool hasText = std::any_of(in.realisticTexts.begin(), in.realisticTexts.end(),
                                         [](const QString &t) { return !t.simplified().isEmpty(); });
        if (!hasText && used.isEmpty() && !(opt.sendImage && !in.image.isNull())) {
            out[i] = makeError(ErrorCode::InvalidArgument, QStringLiteral("nothing to write from: no realistic text and no image evidence"),
                               QStringLiteral("item %1").arg(i));
            continue;
        }
        bodies << ChatMessages::generationRequest(in, opt);
        sentIndex << i;
    }

    const QVector<Result<ChatAnswer>> answers = m_client.run(bodies, ctx);
    for (int k = 0; k < answers.size(); ++k) {
        const int i = sentIndex[k];
        if (!answers[k].ok()) {
            Error e = answers[k].error();
            e.context = QStringLiteral("item %1").arg(i);
            out[i] = e;
            continue;
        }
        const GenerationInput &in = batch[i];
        const ChatAnswer &a = answers[k].value();
        const QString instruction = in.instruction.trimmed().isEmpty() ? defaultGenerationInstruction() : in.instruction;
        const bool defaultInstruction = instruction == defaultGenerationInstruction();
        const QString sha = QString::fromLatin1(QCryptographicHash::hash(instruction.toUtf8(), QCryptographicHash::Sha1).toHex());
        QStringList used;
        ChatMessages::evidenceText(in, &used);
        const bool imageSent = opt.sendImage && !in.image.isNull();
        if (imageSent)
            used << QStringLiteral("image");

        GeneratedText g;
        g.text = a.content;
        g.model = a.model.isEmpty() ? opt.model : a.model;
        g.provenance = QJsonObject{
            {QStringLiteral("backend"), QStringLiteral("openai")},
            {QStringLiteral("plugin"), QStringLiteral("generator_openai_http")},
            {QStringLiteral("endpoint"), opt.endpointForRecord()},
            {QStringLiteral("requested_model"), opt.model},
            {QStringLiteral("model"), g.model},
            {QStringLiteral("prompt_version"), defaultInstruction ? generationPromptVersion() : QStringLiteral("custom-") + sha.left(12)},
            {QStringLiteral("instruction_sha1"), sha},
            {QStringLiteral("layout_version"), ChatMessages::layoutVersion()},
            {QStringLiteral("finish_reason"), a.finishReason},
            {QStringLiteral("usage"), a.usage},
            {QStringLiteral("response_id"), a.responseId},
            {QStringLiteral("attempts"), a.attempts},
            {QStringLiteral("latency_ms"), a.latencyMs},
            {QStringLiteral("created"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
            {QStringLiteral("evidence"), used.isEmpty() ? QJsonValue(QStringLiteral("none")) : QJsonValue(QJsonArray::fromStringList(used))},
            {QStringLiteral("image_sent"), imageSent},
            {QStringLiteral("temperature"), opt.temperature},
            {QStringLiteral("max_tokens"), opt.maxTokens},
        };
        out[i] = g;
    }
    return out;
}

} // namespace rs
