#include "plugins/generator_openai_http/chatclient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QQueue>
#include <QRandomGenerator>
#include <QTimeZone>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <climits>
#include <cmath>
#include <memory>
#include <optional>

namespace rs {

namespace {

// Qt's HTTP/1.1 backend opens at most this many connections per host and manager.
constexpr int kConnectionsPerManager = 6;
constexpr int kCancelPollMs = 20;

// Keys shorter than this are not scrubbed from answers: replacing a two-letter
// "key" everywhere would mangle the text, and such a key protects nothing.
constexpr int kMinRedactedKeyLength = 6;

QString redacted(QString s, const QString &key)
{
    if (key.size() >= kMinRedactedKeyLength)
        s.replace(key, QStringLiteral("[redacted]"));
    return s;
}

QJsonObject redacted(const QJsonObject &o, const QString &key)
{
    if (key.size() < kMinRedactedKeyLength)
        return o;
    const QByteArray text = QJsonDocument(o).toJson(QJsonDocument::Compact);
    if (!text.contains(key.toUtf8()))
        return o;
    return QJsonDocument::fromJson(redacted(QString::fromUtf8(text), key).toUtf8()).object();
}

// Retry-After: delta-seconds or an HTTP date (RFC 9110). -1 when absent or unreadable.
qint64 retryAfterMs(const QNetworkReply *reply)
{
    const QByteArray raw = reply->rawHeader("Retry-After").trimmed();
    if (raw.isEmpty())
        return -1;
    bool ok = false;
    const double seconds = raw.toDouble(&ok);
    if (ok)
        return seconds < 0 ? -1 : qint64(seconds * 1000.0);
    QDateTime when = QLocale::c().toDateTime(QString::fromLatin1(raw), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
    if (!when.isValid())
        return -1;
    when.setTimeZone(QTimeZone::utc());
    return std::max<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(when));
}

bool isRetryableNetworkError(QNetworkReply::NetworkError e)
{
    switch (e) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::UnknownNetworkError:
        return true;
    default:
        return false;
    }
}

struct Item {
    int attempt = 0;                // attempts started
    QPointer<QNetworkReply> reply;  // the attempt in flight
    QNetworkAccessManager *manager = nullptr;
    std::unique_ptr<QTimer> retryTimer; // waiting for the next attempt
    bool timedOut = false;
    QString refusedRedirect; // a cross-origin Location this attempt did not follow
    QElapsedTimer clock;
    std::optional<Result<ChatAnswer>> result;
};

class BatchRun {
public:
    BatchRun(const OpenAiOptions &options, const QVector<QJsonObject> &bodies, JobContext &ctx)
        : m_options(options), m_ctx(ctx), m_items(size_t(bodies.size()))
    {
        m_apiKey = qEnvironmentVariable(options.apiKeyEnv.toLocal8Bit().constData());
        m_bodies.reserve(bodies.size());
        for (const QJsonObject &b : bodies)
            m_bodies << QJsonDocument(b).toJson(QJsonDocument::Compact);
        const int managers = (options.concurrency + kConnectionsPerManager - 1) / kConnectionsPerManager;
        for (int i = 0; i < managers; ++i) {
            auto *m = new QNetworkAccessManager(&m_owner);
            // Every redirect is vetted in send(): Qt copies the request's
            // headers, Authorization included, to wherever it is sent.
            m->setRedirectPolicy(QNetworkRequest::UserVerifiedRedirectPolicy);
            m_managers << m;
        }
        for (int i = 0; i < bodies.size(); ++i)
            m_queue.enqueue(i);
    }

    QVector<Result<ChatAnswer>> exec()
    {
        if (m_ctx.isCanceled())
            cancelAll();
        else {
            QTimer cancelPoll;
            QObject::connect(&cancelPoll, &QTimer::timeout, &m_owner, [this] {
                if (m_ctx.isCanceled())
                    cancelAll();
            });
            cancelPoll.start(kCancelPollMs);
            fill();
            if (m_finished < int(m_items.size()))
                m_loop.exec(QEventLoop::ExcludeUserInputEvents);
        }
        QVector<Result<ChatAnswer>> out;
        out.reserve(int(m_items.size()));
        for (Item &it : m_items)
            out << std::move(*it.result);
        return out;
    }

private:
    void fill()
    {
        while (!m_canceled && m_slotsUsed < m_options.concurrency && !m_queue.isEmpty()) {
            const int i = m_queue.dequeue();
            ++m_slotsUsed;
            m_items[i].clock.start();
            send(i);
        }
    }

    QNetworkAccessManager *leastBusyManager()
    {
        QNetworkAccessManager *best = m_managers.first();
        int bestLoad = INT_MAX;
        for (QNetworkAccessManager *m : std::as_const(m_managers)) {
            const int load = int(std::count_if(m_items.begin(), m_items.end(), [m](const Item &it) { return it.reply && it.manager == m; }));
            if (load < bestLoad) {
                best = m;
                bestLoad = load;
            }
        }
        return best;
    }

    void send(int i)
    {
        Item &it = m_items[i];
        ++it.attempt;
        it.timedOut = false;
        it.refusedRedirect.clear();
        QNetworkRequest req(m_options.chatCompletionsUrl());
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        req.setRawHeader("Accept", "application/json");
        if (!m_apiKey.isEmpty())
            req.setRawHeader("Authorization", "Bearer " + m_apiKey.toUtf8());
        it.manager = leastBusyManager();
        QNetworkReply *reply = it.manager->post(req, m_bodies[i]);
        it.reply = reply;
        auto *timeout = new QTimer(reply);
        timeout->setSingleShot(true);
        QObject::connect(timeout, &QTimer::timeout, reply, [this, i, reply] {
            m_items[i].timedOut = true;
            reply->abort();
        });
        timeout->start(m_options.timeoutMs);
        QObject::connect(reply, &QNetworkReply::redirected, &m_owner, [this, i, reply](const QUrl &to) {
            // Same origin only (scheme, host and port): the bearer key must
            // never reach another server, another port or plain HTTP.
            const QUrl from = m_options.chatCompletionsUrl();
            if (to.scheme() == from.scheme() && to.host() == from.host() && to.port(defaultPort(to)) == from.port(defaultPort(from))) {
                Q_EMIT reply->redirectAllowed();
                return;
            }
            m_items[i].refusedRedirect = to.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment).toString();
            reply->abort();
        });
        QObject::connect(reply, &QNetworkReply::finished, &m_owner, [this, i, reply] { onFinished(i, reply); });
    }

    static int defaultPort(const QUrl &url) { return url.scheme() == QLatin1String("https") ? 443 : 80; }

    void onFinished(int i, QNetworkReply *reply)
    {
        Item &it = m_items[i];
        reply->deleteLater();
        it.reply.clear();
        if (it.result)
            return;
        if (m_canceled) {
            finish(i, makeError(ErrorCode::Canceled, QStringLiteral("canceled while the request was in flight")));
            return;
        }
        if (!it.refusedRedirect.isEmpty()) {
            finish(i, makeError(ErrorCode::IoError, QStringLiteral("the server redirected to another origin (%1); not followed, so "
                                                                   "the API key is not sent there: set generate.endpoint to the final URL")
                                                        .arg(it.refusedRedirect)));
            return;
        }
        if (it.timedOut) {
            finish(i, makeError(ErrorCode::IoError, QStringLiteral("no complete answer within %1 ms (timed out, attempt %2)")
                                                        .arg(m_options.timeoutMs)
                                                        .arg(it.attempt)));
            return;
        }
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        const QNetworkReply::NetworkError netError = reply->error();

        const bool retryable = status == 429 || (status >= 500 && status <= 599)
            || (status == 0 && isRetryableNetworkError(netError));
        if (retryable && it.attempt <= m_options.retries) {
            scheduleRetry(i, retryAfterMs(reply));
            return;
        }
        if (status == 0) {
            finish(i, makeError(ErrorCode::IoError, QStringLiteral("request failed: %1%2")
                                                        .arg(reply->errorString(),
                                                             it.attempt > 1 ? QStringLiteral(" (after %1 attempts)").arg(it.attempt) : QString())));
            return;
        }
        Result<ChatAnswer> r = ChatAnswer::parse(status, body);
        if (r.ok()) {
            r->attempts = it.attempt;
            r->latencyMs = it.clock.elapsed();
        } else if (it.attempt > 1) {
            Error e = r.error();
            e.message += QStringLiteral(" (after %1 attempts)").arg(it.attempt);
            r = e;
        }
        finish(i, std::move(r));
    }

    void scheduleRetry(int i, qint64 retryAfter)
    {
        Item &it = m_items[i];
        qint64 delay;
        if (retryAfter >= 0) {
            delay = retryAfter;
        } else {
            // Exponential backoff with +-25% jitter so that items rejected
            // together do not come back together.
            const double base = double(m_options.backoffMs) * std::pow(2.0, it.attempt - 1);
            delay = qint64(base * (0.75 + 0.5 * QRandomGenerator::global()->generateDouble()));
        }
        delay = std::clamp<qint64>(delay, 0, m_options.maxBackoffMs);
        it.retryTimer = std::make_unique<QTimer>();
        it.retryTimer->setSingleShot(true);
        QObject::connect(it.retryTimer.get(), &QTimer::timeout, &m_owner, [this, i] {
            m_items[i].retryTimer.release()->deleteLater();
            if (!m_canceled)
                send(i);
        });
        it.retryTimer->start(int(std::min<qint64>(delay, INT_MAX)));
    }

    void finish(int i, Result<ChatAnswer> r)
    {
        Item &it = m_items[i];
        if (r.ok()) {
            r->content = redacted(r->content, m_apiKey);
            r->model = redacted(r->model, m_apiKey);
            r->finishReason = redacted(r->finishReason, m_apiKey);
            r->responseId = redacted(r->responseId, m_apiKey);
            r->usage = redacted(r->usage, m_apiKey);
        } else {
            Error e = r.error();
            e.message = redacted(e.message, m_apiKey);
            e.context = QStringLiteral("item %1").arg(i);
            r = e;
        }
        it.result = std::move(r);
        ++m_finished;
        --m_slotsUsed;
        if (m_finished == int(m_items.size()))
            m_loop.quit();
        else
            fill();
    }

    void cancelAll()
    {
        if (m_canceled)
            return;
        m_canceled = true;
        const Error canceled = makeError(ErrorCode::Canceled, QStringLiteral("canceled before the request was sent"));
        while (!m_queue.isEmpty()) {
            const int i = m_queue.dequeue();
            ++m_slotsUsed; // finish() gives it back
            finish(i, canceled);
        }
        for (int i = 0; i < int(m_items.size()); ++i) {
            Item &it = m_items[i];
            if (it.result)
                continue;
            if (it.retryTimer) {
                it.retryTimer.reset();
                finish(i, makeError(ErrorCode::Canceled, QStringLiteral("canceled while waiting to retry")));
            } else if (it.reply) {
                // abort() emits finished() at once; onFinished records Canceled.
                QPointer<QNetworkReply> r = it.reply;
                r->abort();
                if (!it.result)
                    finish(i, makeError(ErrorCode::Canceled, QStringLiteral("canceled while the request was in flight")));
            }
        }
    }

    const OpenAiOptions &m_options;
    JobContext &m_ctx;
    QString m_apiKey;
    QVector<QByteArray> m_bodies;
    std::vector<Item> m_items;
    QQueue<int> m_queue;
    QObject m_owner; // parent of the managers; context of every connection
    QList<QNetworkAccessManager *> m_managers;
    QEventLoop m_loop;
    int m_slotsUsed = 0;
    int m_finished = 0;
    bool m_canceled = false;
};

} // namespace

QVector<Result<ChatAnswer>> ChatClient::run(const QVector<QJsonObject> &bodies, JobContext &ctx) const
{
    if (bodies.isEmpty())
        return {};
    BatchRun run(m_options, bodies, ctx);
    return run.exec();
}

} // namespace rs
