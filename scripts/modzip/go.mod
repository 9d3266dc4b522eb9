module sandlock-modzip

go 1.21
