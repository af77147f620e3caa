#include "plugins/generator_openai_http/openaicaptioner.h"

#include "plugins/generator_openai_http/chatmessages.h"

namespace rs {

QString OpenAiCaptioner::name() const
{
    return QStringLiteral("openai-http-captioner:") + m_client.options().model;
}

QVector<Result<QString>> OpenAiCaptioner::caption(const QVector<CaptionInput> &batch, JobContext &ctx)
{
    QVector<Result<QString>> out(batch.size(), makeError(ErrorCode::Internal, QStringLiteral("not processed")));
    QVector<QJsonObject> bodies;
    QVector<int> sentIndex;
    for (int i = 0; i < batch.size(); ++i) {
        if (batch[i].image.isNull()) {
            out[i] = makeError(ErrorCode::InvalidArgument, QStringLiteral("no image to caption"), QStringLiteral("item %1").arg(i));
            continue;
        }
        bodies << ChatMessages::captionRequest(batch[i], m_client.options());
        sentIndex << i;
    }
    const QVector<Result<ChatAnswer>> answers = m_client.run(bodies, ctx);
    for (int k = 0; k < answers.size(); ++k) {
        const int i = sentIndex[k];
        if (answers[k].ok()) {
            // Chat models like to wrap a caption in quotes; a caption is one line.
            QString c = answers[k].value().content.section(QLatin1Char('\n'), 0, 0).trimmed();
            if (c.size() >= 2 && c.startsWith(QLatin1Char('"')) && c.endsWith(QLatin1Char('"')))
                c = c.mid(1, c.size() - 2).trimmed();
            out[i] = c;
        } else {
            Error e = answers[k].error();
            e.context = QStringLiteral("item %1").arg(i);
            out[i] = e;
        }
    }
    return out;
}

} // namespace rs
