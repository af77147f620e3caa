// realsyn-studio: the desktop GUI of RealSyn Studio. Parses arguments, opens
// the project given on the command line, shows the window; all behaviour
// lives in realsyn_ui and realsyn_core.

#include "core/util/blasthreads.h"
#include "ui/models/projectsession.h"
#include "ui/views/inspector.h"
#include "ui/views/mainwindow.h"
#include "ui/views/samplebrowser.h"
#include "ui/models/samplelistmodel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QListView>
#include <QScreen>
#include <QTimer>

#include <cstdio>

int main(int argc, char **argv)
{
    rs::parkBlasThreads();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("RealSyn"));
    QApplication::setApplicationName(QStringLiteral("RealSyn Studio"));
    QApplication::setApplicationVersion(QStringLiteral(REALSYN_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Run the RealSyn pipeline, inspect samples, tune thresholds and export."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("PROJECT_DIR"), QStringLiteral("project to open (optional)"));
    parser.addOption({QStringLiteral("screenshots"), QStringLiteral("save PNGs of the main views into DIR once the project is loaded, then quit"),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("select"), QStringLiteral("with --screenshots: the sample to show in the inspector"), QStringLiteral("ID")});
    parser.addOption({QStringLiteral("search"), QStringLiteral("with --screenshots: words to search for, so the Search dock shows results"),
                      QStringLiteral("QUERY")});
    parser.addOption({QStringLiteral("size"), QStringLiteral("initial window size, e.g. 1280x720 (default: 1600x1000, at most the screen)"),
                      QStringLiteral("WxH")});
    parser.addOption({QStringLiteral("dark"), QStringLiteral("dark colours whatever the system uses")});
    parser.addOption({QStringLiteral("light"), QStringLiteral("light colours whatever the system uses")});
    parser.process(app);

    // The system's scheme unless told otherwise (remembered in the settings).
    rs::MainWindow::applyColorScheme(parser.isSet(QStringLiteral("dark"))    ? rs::MainWindow::ColorScheme::Dark
                                     : parser.isSet(QStringLiteral("light")) ? rs::MainWindow::ColorScheme::Light
                                                                             : rs::MainWindow::savedColorScheme());

    rs::MainWindow window;
    QSize size(1600, 1000);
    if (const QStringList wh = parser.value(QStringLiteral("size")).split(QLatin1Char('x')); wh.size() == 2)
        size = QSize(wh[0].toInt(), wh[1].toInt()).expandedTo(QSize(640, 480));
    else if (const QScreen *screen = QGuiApplication::primaryScreen())
        size = size.boundedTo(screen->availableSize()); // a 1280×720 laptop gets the whole screen, not more
    window.resize(size);
    window.show();
    const QStringList args = parser.positionalArguments();
    const QString shots = parser.value(QStringLiteral("screenshots"));
    if (!args.isEmpty() && !window.openProject(args.first(), !shots.isEmpty())) {
        if (!shots.isEmpty()) {
            std::fprintf(stderr, "realsyn-studio: %s\n", qPrintable(window.lastError()));
            return 1;
        }
    }
    if (!shots.isEmpty()) {
        // Wait for the scores and the grid, pick a sample, give thumbnails
        // and the inspector's image time to arrive, then grab and quit.
        const qint64 wanted = parser.value(QStringLiteral("select")).toLongLong();
        const QString query = parser.value(QStringLiteral("search"));
        auto *poll = new QTimer(&window);
        auto *ticks = new int(0);
        // Ticks: up to 1000 waiting for the grid, then 25 to settle, then
        // the tool docks (map layout, search) up to 2000 ticks, then grab.
        QObject::connect(poll, &QTimer::timeout, &window, [&window, poll, ticks, shots, wanted, query]() {
            ++*ticks;
            auto *session = window.session();
            const bool ready = !session->isOpen() || (session->live() && !window.browser()->model()->isRebuilding());
            if (ready && *ticks < 1000 && window.browser()->currentId() < 0 && window.browser()->model()->rowCount() > 0) {
                if (wanted > 0)
                    window.browser()->selectSample(wanted);
                else
                    window.browser()->view()->setCurrentIndex(window.browser()->model()->index(0, 0));
                *ticks = 1000; // from now on, count the settle time
            }
            const auto finish = [poll, shots](bool ok) {
                poll->stop();
                std::fprintf(stderr, "realsyn-studio: screenshots %s in %s\n", ok ? "saved" : "FAILED", qPrintable(shots));
                QApplication::exit(ok ? 0 : 1);
            };
            if (*ticks == 1000 + 25 || (*ticks > 600 && *ticks < 1000)) {
                const bool saved = window.saveScreenshots(shots);
                if (!saved || !session->isOpen())
                    return finish(saved);
                window.prepareToolScreenshots(query); // a search filters the browser: after the main shots
                *ticks = 2000;
                return;
            }
            if (*ticks > 2000 + 30 && (window.toolScreenshotsReady() || *ticks > 2000 + 1200)) // thumbnails of the results need a moment
                finish(window.saveToolScreenshots(shots));
        });
        poll->start(100);
    }
    return app.exec();
}
