#include "plugins/generator_openai_http/chatanswer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace rs {

namespace {

QString errorMessageOf(const QJsonObject &o)
{
    const QJsonValue err = o.value(QStringLiteral("error"));
    if (err.isString())
        return err.toString();
    if (err.isObject()) {
        const QJsonObject e = err.toObject();
        QString msg = e.value(QStringLiteral("message")).toString();
        if (msg.isEmpty())
            msg = e.value(QStringLiteral("type")).toString();
        return msg.isEmpty() ? QStringLiteral("unspecified server error") : msg;
    }
    if (o.value(QStringLiteral("object")).toString() == QLatin1String("error")) {
        const QString msg = o.value(QStringLiteral("message")).toString();
        return msg.isEmpty() ? QStringLiteral("unspecified server error") : msg;
    }
    return {};
}

// A non-JSON error body (a proxy's HTML page, a plain-text message): the
// first line, short, so that the per-item error stays one line.
QString bodySnippet(const QByteArray &body)
{
    QString s = QString::fromUtf8(body.left(400)).simplified();
    if (s.size() > 160)
        s = s.left(160) + QStringLiteral("...");
    return s.isEmpty() ? QStringLiteral("empty body") : s;
}

QString contentText(const QJsonValue &content)
{
    if (content.isString())
        return content.toString();
    QStringList parts;
    if (content.isArray()) {
        for (const QJsonValue &p : content.toArray()) {
            if (p.isString()) {
                parts << p.toString();
                continue;
            }
            const QJsonObject part = p.toObject();
            const QString type = part.value(QStringLiteral("type")).toString();
            if ((type.isEmpty() || type == QLatin1String("text") || type == QLatin1String("output_text"))
                && part.value(QStringLiteral("text")).isString())
                parts << part.value(QStringLiteral("text")).toString();
        }
    }
    return parts.join(QString());
}

} // namespace

QString ChatAnswer::serverErrorMessage(const QByteArray &body)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    return doc.isObject() ? errorMessageOf(doc.object()) : QString();
}

Result<ChatAnswer> ChatAnswer::parse(int httpStatus, const QByteArray &body)
{
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &perr);

    if (httpStatus != 0 && (httpStatus < 200 || httpStatus > 299)) {
        QString msg = doc.isObject() ? errorMessageOf(doc.object()) : QString();
        if (msg.isEmpty())
            msg = bodySnippet(body);
        return makeError(ErrorCode::IoError, QStringLiteral("HTTP %1: %2").arg(httpStatus).arg(msg));
    }
    if (perr.error != QJsonParseError::NoError)
        return makeError(ErrorCode::ParseError, QStringLiteral("invalid JSON in the answer (%1 at offset %2): %3")
                                                    .arg(perr.errorString())
                                                    .arg(perr.offset)
                                                    .arg(bodySnippet(body)));
    if (!doc.isObject())
        return makeError(ErrorCode::ParseError, QStringLiteral("the answer is not a JSON object"));
    const QJsonObject o = doc.object();
    if (const QString msg = errorMessageOf(o); !msg.isEmpty())
        return makeError(ErrorCode::IoError, QStringLiteral("server error: %1").arg(msg));

    const QJsonArray choices = o.value(QStringLiteral("choices")).toArray();
    if (choices.isEmpty())
        return makeError(ErrorCode::ParseError, QStringLiteral("the answer has no choices"));
    const QJsonObject choice = choices.first().toObject();
    ChatAnswer a;
    a.finishReason = choice.value(QStringLiteral("finish_reason")).toString();
    a.model = o.value(QStringLiteral("model")).toString();
    a.responseId = o.value(QStringLiteral("id")).toString();
    a.usage = o.value(QStringLiteral("usage")).toObject();
    if (!choice.value(QStringLiteral("message")).isObject())
        return makeError(ErrorCode::ParseError, QStringLiteral("choices[0] has no message"));
    a.content = contentText(choice.value(QStringLiteral("message")).toObject().value(QStringLiteral("content"))).trimmed();
    if (a.content.isEmpty()) {
        QString msg = QStringLiteral("the answer's content is empty");
        if (!a.finishReason.isEmpty())
            msg += QStringLiteral(" (finish_reason: %1)").arg(a.finishReason);
        return makeError(ErrorCode::ParseError, msg);
    }
    return a;
}

} // namespace rs
