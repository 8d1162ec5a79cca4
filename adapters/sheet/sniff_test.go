package sheet

import "testing"

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		name   string
		sample string
		want   rune
		ok     bool
	}{
		{"comma", "sku,qty,price\nA1,2,12.50\nA2,1,3.75\n", ',', true},
		{"semicolon with decimal commas", "Artikel;Menge;Preis\nA1;2;12,50\nA2;1;3,75\n", ';', true},
		{"tab", "sku\tqty\tnote\nA1\t2\ta, b; c\nA2\t1\t|\n", '\t', true},
		{"pipe", "sku|qty|price\nA1|2|12,50\nA2|1|3.75\n", '|', true},
		{"most lines with one count wins over more fields",
			"a,b,c\n1;2\n3;4\n5;6\n", ';', true},
		{"the count most lines share", "a,b,c\n1,2\n3,4\n5,6\n", ',', true},
		{"commas inside quotes do not count",
			"\"x,y,z\";1\n\"p,q,r\";2\n\"s,t,u\";3\n", ';', true},
		{"semicolons inside quotes do not count",
			"id,note\n1,\"a;b;c;d\"\n2,\"e;f;g;h\"\n3,\"i;j;k;l\"\n", ',', true},
		{"escaped quotes stay inside",
			"\"he said \"\"a;b;c\"\"\",1\n\"\"\"x;y;z\"\"\",2\n", ',', true},
		{"newline inside quotes",
			"a;b\n1;\"x,y\nz,w\nq,r\"\n2;\"s\"\n", ';', true},
		{"CRLF inside and between",
			"a;b\r\n1;\"x,y\r\nz,w\"\r\n2;3\r\n", ';', true},
		{"quote after another candidate opens it",
			"a|b\n1|\"x,y\nz,w\nu,v\"\n", '|', true},
		{"inch mark is text", "Pipe 3/4\",12\nPipe 1\",7\n", ',', true},
		{"CRLF", "a;b;c\r\n1;2;3\r\n", ';', true},
		{"lone CR", "a;b;c\r1;2;3\r4;5;6\r", ';', true},
		{"blank lines ignored", "\n\na|b\n\n\r\n1|2\n\n", '|', true},
		{"empty trailing rows count", "a;b;c\n1;2;3\n;;\n;;\n", ';', true},
		{"one line without newline", "a;b;c", ';', true},
		{"cut last line left out", "a;b;c\n1;2;3\n4,5,6,7,8,9", ';', true},
		{"cut last line in quotes left out", "a;b\n1;2\n\"x,y,z", ';', true},
		{"tie goes to comma", "a,b;c\n", ',', true},
		{"tie goes to semicolon before tab", "a;b\tc\n", ';', true},
		{"tie goes to tab before pipe", "a\tb|c\n", '\t', true},
		{"tie between comma and semicolon lines", "1,5;2,5\n3,5;4,5\n", ',', true},
		{"one column", "sku\nA1\nA2\n", ',', false},
		{"one quoted column with delimiters", "\"a,b\"\n\"c;d\"\n", ',', false},
		{"empty", "", ',', false},
		{"blank lines only", "\n\r\n\n", ',', false},
		{"unclosed quote swallows the rest", "\"a,b\nc,d\ne,f\n", ',', false},
		{"utf-8 text", "订单号,数量\nPO-1,12\n", ',', true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := SniffDelimiter([]byte(tt.sample))
			if got != tt.want || ok != tt.ok {
				t.Errorf("SniffDelimiter(%q) = %q, %v; want %q, %v", tt.sample, got, ok, tt.want, tt.ok)
			}
		})
	}
}
