import DatamancyCLI

DatamancyBackup.runAndExit()
