package sheet

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Field is a canonical order field a column can fill (mappings.SheetFields).
type Field string

const (
	fPO           Field = "po_number"
	fOrderDate    Field = "order_date"
	fCurrency     Field = "currency"
	fDeliveryDate Field = "requested_delivery_date"
	fShipDate     Field = "requested_ship_date"
	fCancelAfter  Field = "cancel_after"
	fShipTo       Field = "ship_to"
	fShipToName   Field = "ship_to_name"
	fAddress      Field = "address"
	fCity         Field = "city"
	fRegion       Field = "region"
	fPostalCode   Field = "postal_code"
	fCountry      Field = "country"
	fNotes        Field = "notes"
	fLineNo       Field = "line_no"
	fSKU          Field = "sku"
	fGTIN         Field = "gtin"
	fBuyerItem    Field = "buyer_item"
	fDescription  Field = "description"
	fQuantity     Field = "quantity"
	fUOM          Field = "uom"
	fUnitPrice    Field = "unit_price"
	// fIgnore marks columns known to carry nothing the order keeps (line
	// totals, VAT): recognised, so not reported as unknown.
	fIgnore Field = "-"
)

// headerFields are the order-level fields: the same on every row of an
// order, or given once in a block above the table.
var headerFields = map[Field]bool{fPO: true, fOrderDate: true, fCurrency: true, fDeliveryDate: true,
	fShipDate: true, fCancelAfter: true, fShipTo: true, fShipToName: true, fAddress: true, fCity: true,
	fRegion: true, fPostalCode: true, fCountry: true, fNotes: true}

// dateFields hold dates.
var dateFields = map[Field]bool{fOrderDate: true, fDeliveryDate: true, fShipDate: true, fCancelAfter: true}

// aliases are the headers distributors' systems write, in English, Dutch,
// German, French, Spanish and Chinese, and the line-item columns of a
// Shopify order export. They are compared normalised (see
// normHeader): case, accents, spaces and punctuation do not matter.
var aliases = map[Field][]string{
	fPO: {"po", "po number", "po no", "po nr", "po #", "purchase order", "purchase order number", "purchase order no",
		"order no", "order number", "order nr", "order #", "order id", "order", "customer po", "customer po number", "your order",
		"bestelnummer", "bestelling", "ordernummer", "inkoopordernummer", "inkooporder", "bestelnr",
		"bestellnummer", "auftragsnummer", "bestellung", "bestell nr", "auftrag",
		"numero de commande", "n de commande", "no de commande", "commande", "bon de commande",
		"numero de pedido", "n de pedido", "pedido", "orden de compra", "numero de orden",
		"订单号", "订单编号", "采购单号", "采购订单号", "订单"},
	fOrderDate: {"order date", "po date", "date", "date ordered", "besteldatum", "orderdatum", "datum", "bestelldatum",
		"auftragsdatum", "date de commande", "date commande", "fecha de pedido", "fecha pedido", "fecha", "订单日期", "下单日期", "日期"},
	fCurrency: {"currency", "cur", "ccy", "valuta", "munteenheid", "wahrung", "devise", "monnaie", "moneda", "divisa", "币种", "货币"},
	fDeliveryDate: {"delivery date", "requested delivery date", "deliver by", "delivery", "due date", "required date",
		"leverdatum", "afleverdatum", "gewenste leverdatum", "leveringsdatum", "liefertermin", "lieferdatum", "wunschtermin",
		"date de livraison", "livraison", "fecha de entrega", "entrega", "交货日期", "交期", "送货日期", "到货日期"},
	fShipDate: {"ship date", "requested ship date", "shipping date", "verzenddatum", "versanddatum",
		"date d expedition", "date expedition", "fecha de envio", "fecha envio", "发货日期"},
	fCancelAfter: {"cancel date", "cancel after", "cancel by", "do not ship after", "annuleringsdatum", "stornodatum",
		"date d annulation", "fecha de cancelacion", "取消日期"},
	fShipTo: {"ship to", "ship to id", "ship to code", "ship to number", "shipto", "store", "store no", "store number", "store id",
		"location", "location id", "deliver to", "delivery location", "filiaal", "filiaalnummer", "winkel", "winkelnummer",
		"afleveradres", "filiale", "filialnummer", "lieferadresse", "lieferort", "magasin", "code magasin", "adresse de livraison",
		"lieu de livraison", "tienda", "sucursal", "direccion de entrega", "punto de entrega", "门店", "门店编号", "门店代码", "收货地址", "收货方"},
	fShipToName: {"ship to name", "store name", "location name", "winkelnaam", "filiaalnaam", "filialname", "nom du magasin",
		"nombre de tienda", "nombre tienda", "门店名称", "收货人", "shipping name"},
	fAddress:    {"address", "street", "street address", "adres", "straat", "adresse", "strasse", "rue", "direccion", "calle", "地址", "街道", "shipping address1"},
	fCity:       {"city", "town", "plaats", "stad", "woonplaats", "stadt", "ort", "ville", "ciudad", "localidad", "城市", "shipping city"},
	fRegion:     {"state", "province", "region", "provincie", "bundesland", "etat", "estado", "provincia", "省", "省份", "shipping province code"},
	fPostalCode: {"zip", "zip code", "zipcode", "postal code", "postcode", "post code", "plz", "postleitzahl", "code postal", "codigo postal", "cp", "邮编", "邮政编码", "shipping zip"},
	fCountry:    {"country", "land", "pays", "pais", "国家", "shipping country code"},
	fNotes: {"notes", "note", "remarks", "remark", "comment", "comments", "instructions", "opmerking", "opmerkingen",
		"bemerkung", "anmerkung", "hinweis", "remarque", "commentaire", "observaciones", "observacion", "nota", "comentario", "备注", "说明"},
	fLineNo: {"line", "line no", "line nr", "line number", "line #", "regel", "regelnummer", "pos", "position", "positie",
		"ligne", "numero de ligne", "linea", "行号", "序号"},
	fSKU: {"sku", "item", "item number", "item no", "item nr", "item code", "item #", "product code", "product number", "product id",
		"article", "article number", "article no", "vendor item", "supplier item", "our item", "part number", "part no",
		"artikel", "artikelnummer", "art nr", "artnr", "artikelcode", "artikelnr", "produktnummer", "materialnummer",
		"code article", "reference", "ref", "reference article", "codigo", "codigo de articulo", "articulo", "referencia",
		"商品编码", "商品编号", "货号", "物料编码", "产品编码", "产品编号", "lineitem sku"},
	fGTIN: {"gtin", "ean", "ean13", "ean code", "upc", "upc code", "barcode", "bar code", "streepjescode", "ean nummer",
		"code ean", "code barre", "codigo de barras", "条码", "条形码"},
	fBuyerItem: {"customer item", "customer item number", "buyer item", "your item", "customer sku", "customer article",
		"klant artikelnummer", "klantartikelnummer", "kundenartikelnummer", "kunden artikelnummer", "reference client",
		"codigo cliente", "客户料号", "客户货号"},
	fDescription: {"description", "item description", "product description", "product", "product name", "item name", "name",
		"omschrijving", "beschrijving", "artikelomschrijving", "bezeichnung", "beschreibung", "artikelbezeichnung",
		"designation", "libelle", "description article", "descripcion", "producto", "articulo descripcion",
		"品名", "商品名称", "产品名称", "描述", "名称", "lineitem name"},
	fQuantity: {"quantity", "qty", "quantity ordered", "order qty", "order quantity", "ordered", "ordered qty", "units", "pcs",
		"aantal", "hoeveelheid", "bestelde hoeveelheid", "menge", "anzahl", "bestellmenge", "stuck",
		"quantite", "qte", "quantite commandee", "cantidad", "cant", "unidades", "数量", "订购数量", "订货数量", "lineitem quantity"},
	fUOM:       {"uom", "unit", "unit of measure", "units of measure", "eenheid", "einheit", "me", "unite", "unidad", "单位"},
	fUnitPrice: {"unit price", "price", "price each", "each", "cost", "unit cost", "net price", "prijs", "stukprijs", "eenheidsprijs", "preis", "einzelpreis", "stuckpreis", "prix", "prix unitaire", "pu", "precio", "precio unitario", "单价", "价格", "lineitem price"},
	fIgnore: {"total", "line total", "amount", "extended price", "ext price", "subtotal", "vat", "tax", "totaal", "bedrag", "btw",
		"gesamt", "betrag", "gesamtpreis", "mwst", "montant", "total ligne", "tva", "importe", "iva", "金额", "合计", "总价", "税额"},
}

// aliasIndex maps a normalised header to its field.
var aliasIndex = func() map[string]Field {
	m := map[string]Field{}
	for f, as := range aliases {
		for _, a := range as {
			m[normHeader(a)] = f
		}
	}
	return m
}()

// normHeader makes a header comparable: accents and case folded, a
// trailing "(...)" dropped ("Unit price (EUR)"), everything but letters and
// digits removed. "Quantité " and "QUANTITE" compare equal, as do "PO #"
// and "po".
func normHeader(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, "(（"); i > 0 && (strings.HasSuffix(s, ")") || strings.HasSuffix(s, "）")) {
		s = s[:i]
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'ß':
			b.WriteString("ss")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// fieldOf is the field a header names: the partner profile's own names
// first, then the aliases.
func fieldOf(header string, own map[string]Field) (Field, bool) {
	n := normHeader(header)
	if n == "" {
		return "", false
	}
	if f, ok := own[n]; ok {
		return f, true
	}
	f, ok := aliasIndex[n]
	return f, ok
}

// aliasesOf lists the headers tried for a field, for an error that names
// them all.
func aliasesOf(f Field, own map[string]Field) []string {
	var out []string
	for h, g := range own {
		if g == f {
			out = append(out, h)
		}
	}
	return append(out, aliases[f]...)
}
