// The command table of `realsyn`, in the order `realsyn --help` lists them:
// one line per command, naming the function (in app/cli/commands/NAME.cpp)
// that returns its Command. No include guard: commands.h and main.cpp
// include it with their own definition of RS_CLI_COMMAND.
RS_CLI_COMMAND(initCommand)
RS_CLI_COMMAND(ingestCommand)
RS_CLI_COMMAND(runCommand)
RS_CLI_COMMAND(recipeCommand)
RS_CLI_COMMAND(statsCommand)
RS_CLI_COMMAND(listCommand)
RS_CLI_COMMAND(showCommand)
RS_CLI_COMMAND(evalCommand)
RS_CLI_COMMAND(exportCommand)
RS_CLI_COMMAND(decideCommand)
RS_CLI_COMMAND(editCommand)
RS_CLI_COMMAND(pluginsCommand)
RS_CLI_COMMAND(importEmbeddingsCommand)
RS_CLI_COMMAND(mergeCommand)
RS_CLI_COMMAND(slurmCommand)
