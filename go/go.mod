module github.com/multikernel/sandlock/go

go 1.21
