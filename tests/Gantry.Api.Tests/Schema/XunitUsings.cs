// xunit 2 adds no implicit usings and the test project declares none; without this the project does not compile.
global using Xunit;
