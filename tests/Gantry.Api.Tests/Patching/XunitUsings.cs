// The test project has no implicit xunit using; this makes the attributes resolve for every test file.
global using Xunit;
