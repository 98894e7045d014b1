// The test project has no implicit xunit using; this one serves every test file in the project.
global using Xunit;
