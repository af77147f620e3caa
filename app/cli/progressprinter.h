#pragma once
// Progress lines for the terminal: "extract: probing images 512/1960
// (85.3/s, ETA 0:17)", redrawn in place on a TTY and throttled to a few
// lines a second otherwise (so CI logs stay short).

#include <QElapsedTimer>
#include <QString>

class ProgressPrinter {
public:
    explicit ProgressPrinter(QString prefix);
    ~ProgressPrinter();
    void update(qint64 done, qint64 total, const QString &what);
    void finish();

private:
    QString m_prefix;
    QString m_what;
    QElapsedTimer m_clock;     // since this phase (what) began
    QElapsedTimer m_lastPrint;
    qint64 m_phaseStartDone = 0;
    bool m_tty = false;
    bool m_dirty = false;
};
