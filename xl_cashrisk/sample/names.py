"""Name material for the sample portfolio: cities, trade names, legal forms by country.

Every list is a tuple in a fixed order, so the generator picks the same names on every run and
platform. The names are made up from common words; any likeness to a real company is chance.
"""

from __future__ import annotations

# Chinese provinces of the domestic book: (province, region, number of buyers, cities, sector weights).
# Sector weights follow the well-known industry clusters (Guangdong electronics, Zhejiang textiles, ...).
PROVINCES: tuple[tuple[str, str, int, tuple[str, ...], dict[str, int]], ...] = (
    ("Guangdong", "South China", 45, ("广州", "深圳", "东莞", "佛山", "中山", "珠海"),
     {"electronics": 5, "consumer_goods": 3, "retail": 1, "machinery": 1, "textiles": 1}),
    ("Zhejiang", "East China", 40, ("杭州", "宁波", "温州", "义乌", "绍兴", "台州"),
     {"textiles": 4, "consumer_goods": 3, "machinery": 2, "retail": 1, "chemicals": 1}),
    ("Jiangsu", "East China", 30, ("南京", "苏州", "无锡", "常州", "南通"),
     {"chemicals": 3, "machinery": 3, "electronics": 2, "textiles": 1}),
    ("Shandong", "East China", 22, ("济南", "青岛", "烟台", "潍坊", "临沂"),
     {"chemicals": 3, "food": 3, "machinery": 2, "automotive": 1}),
    ("Shanghai", "East China", 11, ("上海",),
     {"pharma": 3, "retail": 2, "electronics": 1, "automotive": 1}),
    ("Henan", "Central China", 26, ("郑州", "洛阳", "新乡", "许昌", "南阳"),
     {"construction": 5, "machinery": 3, "food": 2, "chemicals": 1}),
    ("Hubei", "Central China", 12, ("武汉", "襄阳", "宜昌", "十堰"),
     {"automotive": 4, "machinery": 1, "food": 1, "pharma": 1}),
    ("Sichuan", "Southwest China", 14, ("成都", "绵阳", "德阳", "宜宾"),
     {"food": 3, "pharma": 2, "machinery": 1, "construction": 1}),
    ("Fujian", "South China", 10, ("福州", "厦门", "泉州", "晋江"),
     {"textiles": 3, "food": 2, "consumer_goods": 2}),
)

# Trade names (字号) are built from one character of each list.
ZH_FIRST = tuple("华鑫恒宏金瑞永天博嘉盛泰德信隆昌宇晨海新东兴伟联创")
ZH_SECOND = tuple("锐达通远丰成源禾安润诚辉航科峰茂鼎祥利凯")

ZH_SECTOR_WORDS: dict[str, tuple[str, ...]] = {
    "machinery": ("机械", "机电设备", "重工机械", "精密机械"),
    "electronics": ("电子科技", "电子", "光电科技", "智能科技"),
    "consumer_goods": ("日用品", "家居用品", "家电"),
    "pharma": ("医药", "药业", "生物医药科技"),
    "chemicals": ("化工", "新材料", "化学"),
    "textiles": ("纺织", "服饰", "织造"),
    "retail": ("商贸", "百货", "连锁超市"),
    "construction": ("建设工程", "建材", "建筑工程"),
    "automotive": ("汽车零部件", "汽配"),
    "food": ("食品", "粮油", "饮品"),
}

# Export countries: (ISO-2, region, number of buyers, invoice currency, legal forms, name words,
# sector words in the local language or None for English).
COUNTRIES: tuple[tuple[str, str, int, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("US", "North America", 18, "USD", ("Inc.", "LLC", "Corp."),
     ("Redwood", "Summit", "Lakeside", "Pioneer", "Harbor", "Keystone", "Atlas", "Liberty", "Granite",
      "Prairie", "Bayview", "Sterling", "Cascade", "Frontier", "Meridian", "Northgate", "Oakridge",
      "Riverbend", "Silverline", "Westfield")),
    ("DE", "EU", 10, "EUR", ("GmbH", "GmbH & Co. KG", "AG"),
     ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Keller",
      "Brandt", "Krüger", "Vogel")),
    ("GB", "Europe (non-EU)", 6, "USD", ("Ltd", "plc"),
     ("Ashford", "Hartley", "Whitmore", "Kingsley", "Pembroke", "Thornton", "Aldridge", "Bramwell")),
    ("FR", "EU", 6, "EUR", ("SAS", "SA", "SARL"),
     ("Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Fontaine", "Rousseau", "Mercier")),
    ("IT", "EU", 6, "EUR", ("S.p.A.", "S.r.l."),
     ("Rossi", "Bianchi", "Colombo", "Ferrari", "Ricci", "Marino", "Greco", "Conti")),
    ("NL", "EU", 5, "EUR", ("B.V.", "N.V."),
     ("Van Dijk", "De Vries", "Bakker", "Visser", "Smit", "Mulder", "De Boer")),
    ("ES", "EU", 4, "EUR", ("S.L.", "S.A."),
     ("García", "Fernández", "Navarro", "Ortega", "Romero", "Serrano")),
    ("JP", "East Asia", 7, "USD", ("Co., Ltd.", "K.K."),
     ("Yamamoto", "Kobayashi", "Nakamura", "Matsuda", "Fujimoto", "Ishikawa", "Okada", "Morita")),
    ("KR", "East Asia", 6, "USD", ("Co., Ltd.", "Corp."),
     ("Hanil", "Daesung", "Seowon", "Mirae", "Hanbit", "Donghwa", "Saehan")),
    ("AU", "Oceania", 5, "USD", ("Pty Ltd",),
     ("Southern Cross", "Coral Coast", "Eucalypt", "Outback", "Tasman", "Banksia")),
    ("AE", "Middle East", 4, "USD", ("Trading LLC", "FZE", "FZCO"),
     ("Al Noor", "Al Safa", "Gulf Star", "Al Mansoori", "Desert Rose")),
    ("TR", "Middle East", 5, "USD", ("A.Ş.", "Ltd. Şti."),
     ("Yılmaz", "Demir", "Kaya", "Öztürk", "Aydın", "Çelik")),
    ("BR", "Latin America", 4, "USD", ("Ltda.", "S.A."),
     ("Oliveira", "Souza", "Almeida", "Carvalho", "Pereira")),
    ("IN", "South Asia", 4, "USD", ("Pvt. Ltd.", "Ltd."),
     ("Sharma", "Patel", "Mehta", "Reddy", "Agarwal")),
)

EXPORT_SECTOR_WEIGHTS = {"retail": 3, "consumer_goods": 3, "machinery": 2, "electronics": 2, "textiles": 2,
                         "automotive": 1, "chemicals": 1, "food": 1, "pharma": 1, "construction": 1}

EN_SECTOR_WORDS: dict[str, tuple[str, ...]] = {
    "machinery": ("Industrial Supply", "Machinery", "Equipment"),
    "electronics": ("Electronics", "Technologies", "Components"),
    "consumer_goods": ("Home Goods", "Housewares", "Consumer Products"),
    "pharma": ("Pharma", "Healthcare", "Life Sciences"),
    "chemicals": ("Chemicals", "Materials"),
    "textiles": ("Textiles", "Apparel", "Fabrics"),
    "retail": ("Retail Group", "Stores", "Trading"),
    "construction": ("Building Products", "Construction Supply"),
    "automotive": ("Auto Parts", "Automotive"),
    "food": ("Foods", "Food Trading"),
}

# Local-language sector words where a local company would use them.
LOCAL_SECTOR_WORDS: dict[str, dict[str, str]] = {
    "DE": {"machinery": "Maschinenbau", "electronics": "Elektronik", "consumer_goods": "Haushaltswaren",
           "pharma": "Pharma", "chemicals": "Chemie", "textiles": "Textil", "retail": "Handels",
           "construction": "Baustoffe", "automotive": "Autoteile", "food": "Lebensmittel"},
    "FR": {"machinery": "Industries", "electronics": "Électronique", "consumer_goods": "Maison",
           "pharma": "Pharma", "chemicals": "Chimie", "textiles": "Textiles", "retail": "Distribution",
           "construction": "Matériaux", "automotive": "Auto Pièces", "food": "Alimentaire"},
    "IT": {"machinery": "Meccanica", "electronics": "Elettronica", "consumer_goods": "Casa",
           "pharma": "Farmaceutici", "chemicals": "Chimica", "textiles": "Tessile", "retail": "Commerciale",
           "construction": "Edilizia", "automotive": "Ricambi Auto", "food": "Alimentari"},
    "NL": {"machinery": "Techniek", "electronics": "Elektronica", "consumer_goods": "Huishoud",
           "pharma": "Pharma", "chemicals": "Chemie", "textiles": "Textiel", "retail": "Handel",
           "construction": "Bouwmaterialen", "automotive": "Auto-onderdelen", "food": "Voeding"},
    "ES": {"machinery": "Maquinaria", "electronics": "Electrónica", "consumer_goods": "Hogar",
           "pharma": "Farma", "chemicals": "Química", "textiles": "Textil", "retail": "Distribuciones",
           "construction": "Construcciones", "automotive": "Recambios", "food": "Alimentación"},
}
