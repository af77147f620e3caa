#pragma once
// A minimal HTTP/1.1 server for tests of OpenAI-compatible clients: one
// request per connection, answered by a responder function, on its own
// thread so a client blocking the test thread does not stall it. Listens on
// 127.0.0.1 only.

#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QMutex>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>

namespace rs::test {

struct HttpRequest {
    QByteArray method;
    QByteArray path;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

struct HttpResponse {
    int status = 200;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    int delayMs = 0;
    bool hang = false; // never answer (the client must time out or cancel)
};

inline HttpResponse reply(int status, QByteArray body)
{
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

// index: 0-based number of the request on this server.
using Responder = std::function<HttpResponse(const HttpRequest &, int index)>;

// A minimal HTTP/1.1 server: one request per connection, answered with
// Content-Length and "Connection: close". It lives on its own thread so that
// the client's blocking batch call on the test thread does not stall it.
class TestServer {
public:
    explicit TestServer(Responder responder) : m_responder(std::move(responder))
    {
        m_context = new QObject;
        m_context->moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(m_context, [this] { listen(); }, Qt::BlockingQueuedConnection);
    }
    ~TestServer()
    {
        QMetaObject::invokeMethod(m_context, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
        delete m_context;
    }

    QString endpoint() const { return QStringLiteral("http://127.0.0.1:%1/v1").arg(m_port); }
    QList<HttpRequest> requests() const
    {
        QMutexLocker lock(&m_mutex);
        return m_requests;
    }
    int maxInFlight() const { return m_maxInFlight.load(); }
    int abortedByClient() const { return m_aborted.load(); }
    // Called on the server thread after each request is read (count = requests so far).
    std::function<void(int count)> onRequest;

private:
    struct Conn {
        QByteArray buffer;
        bool answered = false;
        bool counted = false;
    };

    void listen()
    {
        m_server = new QTcpServer(m_context);
        if (!m_server->listen(QHostAddress::LocalHost, 0))
            qFatal("test server cannot listen");
        m_port = m_server->serverPort();
        QObject::connect(m_server, &QTcpServer::newConnection, m_server, [this] {
            while (QTcpSocket *s = m_server->nextPendingConnection()) {
                auto conn = std::make_shared<Conn>();
                QObject::connect(s, &QTcpSocket::readyRead, s, [this, s, conn] { onData(s, conn); });
                QObject::connect(s, &QTcpSocket::disconnected, s, [this, s, conn] {
                    if (conn->counted && !conn->answered) {
                        --m_inFlight;
                        ++m_aborted;
                        conn->answered = true;
                    }
                    s->deleteLater();
                });
            }
        });
    }

    void onData(QTcpSocket *s, const std::shared_ptr<Conn> &conn)
    {
        conn->buffer += s->readAll();
        if (conn->counted)
            return;
        const int headerEnd = conn->buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        HttpRequest req;
        const QList<QByteArray> lines = conn->buffer.left(headerEnd).split('\n');
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        req.method = first.value(0);
        req.path = first.value(1);
        for (int i = 1; i < lines.size(); ++i) {
            const int colon = lines[i].indexOf(':');
            if (colon > 0)
                req.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        const int length = req.headers.value("content-length").toInt();
        if (conn->buffer.size() < headerEnd + 4 + length)
            return;
        req.body = conn->buffer.mid(headerEnd + 4, length);
        conn->counted = true;

        int index;
        {
            QMutexLocker lock(&m_mutex);
            index = int(m_requests.size());
            m_requests << req;
        }
        const int now = ++m_inFlight;
        int prev = m_maxInFlight.load();
        while (now > prev && !m_maxInFlight.compare_exchange_weak(prev, now)) {
        }
        if (onRequest)
            onRequest(index + 1);

        const HttpResponse resp = m_responder(req, index);
        if (resp.hang)
            return;
        QPointer<QTcpSocket> guard(s);
        auto answer = [this, guard, conn, resp] {
            if (!guard || conn->answered)
                return;
            conn->answered = true;
            --m_inFlight;
            QByteArray out = "HTTP/1.1 " + QByteArray::number(resp.status) + ' ' + reason(resp.status) + "\r\n";
            out += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(resp.body.size())
                + "\r\nConnection: close\r\n";
            for (const auto &h : resp.headers)
                out += h.first + ": " + h.second + "\r\n";
            out += "\r\n" + resp.body;
            guard->write(out);
            guard->disconnectFromHost();
        };
        if (resp.delayMs > 0)
            QTimer::singleShot(resp.delayMs, s, answer);
        else
            answer();
    }

    static QByteArray reason(int status)
    {
        switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 404: return "Not Found";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        default: return "Status";
        }
    }

    Responder m_responder;
    QThread m_thread;
    QObject *m_context = nullptr;
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    QList<HttpRequest> m_requests;
    std::atomic<int> m_inFlight{0};
    std::atomic<int> m_maxInFlight{0};
    std::atomic<int> m_aborted{0};
};


} // namespace rs::test
