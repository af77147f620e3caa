#include "progressprinter.h"

#include <cstdio>
#include <unistd.h>

ProgressPrinter::ProgressPrinter(QString prefix) : m_prefix(std::move(prefix))
{
    m_tty = isatty(fileno(stderr));
    m_clock.start();
}

ProgressPrinter::~ProgressPrinter()
{
    finish();
}

static QString formatDuration(double seconds)
{
    const qint64 s = qint64(seconds + 0.5);
    return s >= 3600 ? QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

void ProgressPrinter::update(qint64 done, qint64 total, const QString &what)
{
    if (what != m_what) {
        finish();
        m_what = what;
        m_clock.restart();
        m_phaseStartDone = done;
        m_lastPrint.invalidate();
    }
    const bool last = total > 0 && done >= total;
    // Short phases (a batch of a nested step) would flood a log; their end
    // is only worth a line when they took a while.
    if (m_lastPrint.isValid() && m_lastPrint.elapsed() < (m_tty ? 200 : 2000) && !(last && m_clock.elapsed() > 1000))
        return;
    m_lastPrint.start();
    const double secs = std::max(1e-3, m_clock.elapsed() / 1000.0);
    const double rate = (done - m_phaseStartDone) / secs;
    QString line = QStringLiteral("%1: %2 %3").arg(m_prefix, what).arg(done);
    if (total > 0)
        line += QStringLiteral("/%1").arg(total);
    if (secs >= 0.5 && done > m_phaseStartDone) {
        line += QStringLiteral(" (%1/s").arg(rate, 0, 'f', rate < 10 ? 1 : 0);
        if (total > 0 && !last)
            line += QStringLiteral(", ETA ") + formatDuration((total - done) / rate);
        line += QLatin1Char(')');
    }
    if (m_tty) {
        std::fprintf(stderr, "\r\033[K%s", qPrintable(line));
        m_dirty = true;
    } else {
        std::fprintf(stderr, "%s\n", qPrintable(line));
    }
    std::fflush(stderr);
}

void ProgressPrinter::finish()
{
    if (m_dirty) {
        std::fprintf(stderr, "\n");
        m_dirty = false;
    }
}
