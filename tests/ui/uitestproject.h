#pragma once
// A small real project for the GUI tests: an HTML corpus with images drawn
// by QImage (sizes chosen so that extract.min_side splits them), ingested
// through the core and optionally run through the extract stage.

#include <QString>

namespace rs::test {

struct UiProject {
    QString dir;      // the project folder
    int images = 0;   // distinct image files written
};

// `pages` pages with one image each; image i has shorter side 40 + 4 * i
// pixels (so min_side 100 drops the first 15). Fails the current test (and
// returns an empty dir) on any error.
UiProject makeUiProject(const QString &root, int pages, bool runExtract);

} // namespace rs::test
