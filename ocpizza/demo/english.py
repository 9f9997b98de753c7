"""The demo's catalogue in English: every French text of `ocpizza.demo.data` (category, ingredient and product
names, descriptions, recipe steps, restaurant presentations, chefs' short presentations) and its English text.

`english(text)` is what the loader writes in the English columns (menu/translation.py,
restaurants/translation.py). A French text of the data without its English here stops the load, naming it:
the demo always shows a complete English site. Proper names stay as they are (Margherita, Reblochon de
Savoie, place Bellecour).
"""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    # Categories
    "Pizzas base tomate": "Tomato-based pizzas",
    "Pizzas base crème": "Cream-based pizzas",
    "Boissons": "Drinks",
    "Desserts": "Desserts",
    # Ingredients
    "Pâte à pizza": "Pizza dough",
    "Sauce tomate San Marzano": "San Marzano tomato sauce",
    "Crème fraîche épaisse": "Thick crème fraîche",
    "Huile d'olive vierge extra": "Extra virgin olive oil",
    "Mozzarella fior di latte": "Mozzarella fior di latte",
    "Burrata des Pouilles": "Burrata from Puglia",
    "Gorgonzola": "Gorgonzola",
    "Chèvre (bûche)": "Goat's cheese (log)",
    "Parmigiano Reggiano": "Parmigiano Reggiano",
    "Reblochon de Savoie": "Reblochon de Savoie",
    "Jambon blanc": "Cooked ham",
    "Jambon cru de Parme": "Parma ham",
    "Lardons fumés": "Smoked bacon lardons",
    "Merguez": "Merguez",
    "Chorizo": "Chorizo",
    "Salami piquant (spianata)": "Spicy salami (spianata)",
    "Pepperoni": "Pepperoni",
    "Filets d'anchois": "Anchovy fillets",
    "Saumon fumé": "Smoked salmon",
    "Œuf": "Egg",
    "Champignons de Paris": "Button mushrooms",
    "Olives noires": "Black olives",
    "Câpres": "Capers",
    "Oignons rouges": "Red onions",
    "Poivrons": "Bell peppers",
    "Courgettes grillées": "Grilled courgettes",
    "Aubergines grillées": "Grilled aubergines",
    "Tomates cerises": "Cherry tomatoes",
    "Pommes de terre": "Potatoes",
    "Ananas": "Pineapple",
    "Roquette": "Rocket",
    "Basilic frais": "Fresh basil",
    "Aneth": "Dill",
    "Origan": "Oregano",
    "Miel de lavande": "Lavender honey",
    "Cerneaux de noix": "Walnut halves",
    "Huile pimentée maison": "House chilli oil",
    "Canette Coca-Cola 33 cl": "Coca-Cola can 33 cl",
    "Canette Coca-Cola Zero 33 cl": "Coca-Cola Zero can 33 cl",
    "Limonade artisanale 33 cl": "Craft lemonade 33 cl",
    "Eau minérale 50 cl": "Still mineral water 50 cl",
    "Eau gazeuse 50 cl": "Sparkling water 50 cl",
    "Bière Peroni 33 cl": "Peroni beer 33 cl",
    "Chianti DOCG 75 cl": "Chianti DOCG 75 cl",
    "Tiramisu (pot)": "Tiramisu (pot)",
    "Panna cotta (pot)": "Panna cotta (pot)",
    "Fondant au chocolat": "Chocolate fondant",
    "Cookie géant": "Giant cookie",
    # Pizzas, their descriptions and steps
    "Margherita": "Margherita",
    "La reine des pizzas napolitaines : sauce tomate San Marzano, mozzarella fior di latte, basilic frais et un "
    "filet d'huile d'olive vierge extra.": "The queen of Neapolitan pizzas: San Marzano tomato sauce, mozzarella "
    "fior di latte, fresh basil and a drizzle of extra virgin olive oil.",
    "Étaler le pâton de 250 g à la main en un disque de 30 cm, en gardant un bord de 2 cm pour la croûte.": (
        "Stretch the 250 g dough ball by hand into a 30 cm disc, keeping a 2 cm rim for the crust."
    ),
    "Napper de 80 g de sauce tomate en spirale, du centre vers le bord, sans toucher la croûte.": (
        "Spread 80 g of tomato sauce in a spiral from the centre outwards, without touching the crust."
    ),
    "Napper de 70 g de sauce tomate en spirale, du centre vers le bord, sans toucher la croûte.": (
        "Spread 70 g of tomato sauce in a spiral from the centre outwards, without touching the crust."
    ),
    "Étaler 70 g de crème fraîche au dos de la louche, en laissant le bord libre.": (
        "Spread 70 g of crème fraîche with the back of the ladle, leaving the rim bare."
    ),
    "Répartir 120 g de mozzarella égouttée et coupée en dés.": "Scatter 120 g of drained, diced mozzarella.",
    "Enfourner 6 minutes à 300 °C sur la sole, en tournant la pizza à mi-cuisson.": (
        "Bake for 6 minutes at 300 °C on the oven floor, turning the pizza halfway through."
    ),
    "À la sortie du four, déposer les feuilles de basilic et un filet d'huile d'olive (5 ml).": (
        "Out of the oven, add the basil leaves and a drizzle of olive oil (5 ml)."
    ),
    "Regina": "Regina",
    "La classique des pizzerias françaises : jambon blanc supérieur, champignons de Paris émincés, olives "
    "noires et une pincée d'origan.": "The classic of French pizzerias: premium cooked ham, sliced button "
    "mushrooms, black olives and a pinch of oregano.",
    "Répartir 120 g de mozzarella, puis le jambon coupé en lanières et les champignons émincés.": (
        "Scatter 120 g of mozzarella, then the ham cut in strips and the sliced mushrooms."
    ),
    "Enfourner 7 minutes à 300 °C.": "Bake for 7 minutes at 300 °C.",
    "Parsemer d'olives noires et d'origan à la sortie du four.": (
        "Sprinkle with black olives and oregano out of the oven."
    ),
    "Napolitaine": "Neapolitan",
    "La pizza du Sud, franche et iodée : tomate, mozzarella, filets d'anchois, câpres, olives noires et "
    "origan.": "The pizza of the South, bold and briny: tomato, mozzarella, anchovy fillets, capers, black "
    "olives and oregano.",
    "Répartir 100 g de mozzarella, puis les filets d'anchois en étoile.": (
        "Scatter 100 g of mozzarella, then lay the anchovy fillets in a star."
    ),
    "Parsemer de câpres égouttées et d'olives noires.": "Sprinkle with drained capers and black olives.",
    "Enfourner 6 minutes à 300 °C ; saupoudrer d'origan à la sortie.": (
        "Bake for 6 minutes at 300 °C; dust with oregano when it comes out."
    ),
    "Calzone": "Calzone",
    "Le chausson de pâte refermé sur la sauce tomate, la mozzarella, le jambon, les champignons et un œuf "
    "coulant.": "The folded pizza closed over tomato sauce, mozzarella, ham, mushrooms and a runny egg.",
    "Étaler le pâton de 250 g en un disque de 28 cm, un peu plus fin que pour une pizza.": (
        "Stretch the 250 g dough ball into a 28 cm disc, a little thinner than for a pizza."
    ),
    "Sur une moitié seulement : 60 g de sauce tomate, 120 g de mozzarella, le jambon et les champignons.": (
        "On one half only: 60 g of tomato sauce, 120 g of mozzarella, the ham and the mushrooms."
    ),
    "Casser l'œuf au centre de la garniture.": "Crack the egg in the middle of the filling.",
    "Replier la pâte et souder le bord en le pinçant tout du long.": (
        "Fold the dough over and seal the edge by pinching it all along."
    ),
    "Enfourner 9 minutes à 280 °C : le chausson doit être doré et bien gonflé.": (
        "Bake for 9 minutes at 280 °C: the calzone must be golden and well puffed."
    ),
    "4 Fromages": "Four Cheese",
    "Mozzarella, gorgonzola, chèvre et parmesan fondus ensemble sur une sauce tomate légère.": (
        "Mozzarella, gorgonzola, goat's cheese and parmesan melted together on a light tomato sauce."
    ),
    "Répartir 80 g de mozzarella, puis le gorgonzola en petits morceaux et le chèvre en rondelles.": (
        "Scatter 80 g of mozzarella, then the gorgonzola in small pieces and the goat's cheese in slices."
    ),
    "Râper 15 g de parmesan sur la pizza à la sortie du four.": (
        "Grate 15 g of parmesan over the pizza out of the oven."
    ),
    "Orientale": "Oriental",
    "Généreuse et épicée : merguez grillées, poivrons, oignons rouges et mozzarella.": (
        "Generous and spicy: grilled merguez, bell peppers, red onions and mozzarella."
    ),
    "Couper les merguez précuites en tronçons de 2 cm.": "Cut the precooked merguez into 2 cm pieces.",
    "Répartir la mozzarella, les merguez, les poivrons en lanières et les oignons émincés.": (
        "Scatter the mozzarella, the merguez, the peppers in strips and the sliced onions."
    ),
    "Végétarienne": "Vegetarian",
    "Les légumes du marché : poivrons, courgettes et aubergines grillées, champignons, tomates cerises et "
    "olives.": "Vegetables from the market: grilled peppers, courgettes and aubergines, mushrooms, cherry "
    "tomatoes and olives.",
    "Répartir 100 g de mozzarella.": "Scatter 100 g of mozzarella.",
    "Disposer les légumes grillés, les champignons émincés et les tomates cerises coupées en deux.": (
        "Lay out the grilled vegetables, the sliced mushrooms and the halved cherry tomatoes."
    ),
    "Enfourner 7 minutes à 300 °C ; ajouter les olives à la sortie.": (
        "Bake for 7 minutes at 300 °C; add the olives when it comes out."
    ),
    "Diavola": "Diavola",
    "Pour les amateurs de piquant : salami piquant de Calabre, olives noires et huile pimentée maison.": (
        "For those who like it hot: spicy Calabrian salami, black olives and house chilli oil."
    ),
    "Répartir 120 g de mozzarella, puis les tranches de salami piquant.": (
        "Scatter 120 g of mozzarella, then the slices of spicy salami."
    ),
    "Enfourner 6 minutes à 300 °C.": "Bake for 6 minutes at 300 °C.",
    "Ajouter les olives et 5 ml d'huile pimentée en filet à la sortie du four.": (
        "Add the olives and drizzle 5 ml of chilli oil out of the oven."
    ),
    "Hawaïenne": "Hawaiian",
    "Le sucré-salé qui divise et que l'on adore : jambon blanc et ananas rôti.": (
        "The sweet and savoury pizza that divides and that we love: cooked ham and roast pineapple."
    ),
    "Répartir 120 g de mozzarella et le jambon en lanières.": "Scatter 120 g of mozzarella and the ham in strips.",
    "Égoutter l'ananas et le disposer en morceaux de 2 cm.": "Drain the pineapple and lay it out in 2 cm pieces.",
    "Sauce tomate, mozzarella et de fines rondelles de pepperoni qui grillent au four.": (
        "Tomato sauce, mozzarella and thin slices of pepperoni that crisp in the oven."
    ),
    "Répartir 120 g de mozzarella.": "Scatter 120 g of mozzarella.",
    "Couvrir de rondelles de pepperoni en les chevauchant à peine.": (
        "Cover with slices of pepperoni, barely overlapping."
    ),
    "Enfourner 6 minutes à 300 °C ; saupoudrer d'origan.": "Bake for 6 minutes at 300 °C; dust with oregano.",
    "Burrata": "Burrata",
    "Une burrata entière posée à la sortie du four sur tomates cerises, roquette et jambon cru de Parme.": (
        "A whole burrata laid on cherry tomatoes, rocket and Parma ham as it comes out of the oven."
    ),
    "Répartir 60 g de mozzarella et les tomates cerises coupées en deux.": (
        "Scatter 60 g of mozzarella and the halved cherry tomatoes."
    ),
    "Disposer la roquette et le jambon cru en rosaces.": "Lay out the rocket and the Parma ham in rosettes.",
    "Poser la burrata au centre, l'ouvrir d'un coup de couteau, arroser d'huile d'olive et de basilic.": (
        "Set the burrata in the centre, cut it open with a knife, drizzle with olive oil and add the basil."
    ),
    "Savoyarde": "Savoyard",
    "L'hiver en montagne : crème, pommes de terre fondantes, lardons fumés, oignons et reblochon de "
    "Savoie.": "Winter in the mountains: cream, melting potatoes, smoked bacon, onions and Reblochon de "
    "Savoie.",
    "Répartir la mozzarella, les pommes de terre cuites en rondelles, les lardons et les oignons.": (
        "Scatter the mozzarella, the sliced cooked potatoes, the bacon and the onions."
    ),
    "Couper le reblochon en deux dans l'épaisseur et le poser, croûte vers le haut.": (
        "Halve the Reblochon horizontally and lay it on, rind side up."
    ),
    "Enfourner 8 minutes à 280 °C, jusqu'à ce que le reblochon coule.": (
        "Bake for 8 minutes at 280 °C, until the Reblochon runs."
    ),
    "Chèvre-Miel": "Goat's Cheese & Honey",
    "Bûche de chèvre, miel de lavande et cerneaux de noix sur une base crème.": (
        "Goat's cheese log, lavender honey and walnut halves on a cream base."
    ),
    "Répartir la mozzarella et le chèvre coupé en rondelles d'un centimètre.": (
        "Scatter the mozzarella and the goat's cheese cut into one-centimetre slices."
    ),
    "Arroser de 15 g de miel et parsemer de noix concassées à la sortie du four.": (
        "Drizzle with 15 g of honey and sprinkle with crushed walnuts out of the oven."
    ),
    "Saumon": "Salmon",
    "Crème, mozzarella, saumon fumé ajouté à la sortie du four, oignons rouges et aneth frais.": (
        "Cream, mozzarella, smoked salmon added out of the oven, red onions and fresh dill."
    ),
    "Répartir la mozzarella et les oignons rouges émincés finement.": (
        "Scatter the mozzarella and the thinly sliced red onions."
    ),
    "Disposer le saumon fumé en lanières sur la pizza chaude, jamais avant cuisson.": (
        "Lay the smoked salmon in strips on the hot pizza, never before baking."
    ),
    "Parsemer d'aneth ciselé.": "Sprinkle with chopped dill.",
    "Carbonara": "Carbonara",
    "La pâte à l'italienne version pizza : crème, lardons fumés, parmesan et un jaune d'œuf coulant.": (
        "The Italian pasta dish as a pizza: cream, smoked bacon, parmesan and a runny egg yolk."
    ),
    "Répartir la mozzarella et les lardons.": "Scatter the mozzarella and the bacon.",
    "Enfourner 5 minutes à 300 °C, casser l'œuf au centre, puis remettre 2 minutes.": (
        "Bake for 5 minutes at 300 °C, crack the egg in the centre, then bake 2 more minutes."
    ),
    "Râper le parmesan sur la pizza à la sortie du four.": "Grate the parmesan over the pizza out of the oven.",
    # Drinks and desserts
    "Coca-Cola 33 cl": "Coca-Cola 33 cl",
    "La canette bien fraîche.": "The can, well chilled.",
    "Sortir du réfrigérateur au moment de préparer la commande.": (
        "Take out of the fridge when the order is being packed."
    ),
    "Coca-Cola Zero 33 cl": "Coca-Cola Zero 33 cl",
    "Le goût du Coca-Cola, sans sucres.": "The taste of Coca-Cola, with no sugar.",
    "Limonade au citron de Menton, brassée en Ardèche.": "Lemonade made with Menton lemons, brewed in Ardèche.",
    "Eau minérale naturelle plate.": "Natural still mineral water.",
    "Eau minérale finement pétillante.": "Finely sparkling mineral water.",
    "Bière blonde italienne, 5,1 % vol. L'abus d'alcool est dangereux pour la santé ; vente interdite aux "
    "mineurs.": "Italian lager, 5.1% ABV. Alcohol abuse is dangerous for your health; not sold to minors.",
    "Vin rouge de Toscane, souple et fruité, 13 % vol. L'abus d'alcool est dangereux pour la santé ; vente "
    "interdite aux mineurs.": "Red wine from Tuscany, smooth and fruity, 13% ABV. Alcohol abuse is dangerous "
    "for your health; not sold to minors.",
    "Tiramisu maison": "Homemade tiramisu",
    "Mascarpone, biscuits imbibés de café et cacao amer, monté chaque matin dans nos cuisines.": (
        "Mascarpone, coffee-soaked biscuits and bitter cocoa, made every morning in our kitchens."
    ),
    "Saupoudrer de cacao au dernier moment.": "Dust with cocoa at the last moment.",
    "Panna cotta aux fruits rouges": "Red berry panna cotta",
    "Crème vanillée prise au froid, coulis de framboises et fraises.": (
        "Vanilla cream set in the fridge, with a raspberry and strawberry coulis."
    ),
    "Chocolat noir 70 %, cœur coulant : à réchauffer 20 secondes au micro-ondes.": (
        "70% dark chocolate with a molten heart: warm it for 20 seconds in the microwave."
    ),
    "Glisser une cuillère et une serviette dans le sac.": "Slip a spoon and a napkin into the bag.",
    "Un cookie de 15 cm aux pépites de chocolat, croustillant dehors et moelleux dedans.": (
        "A 15 cm chocolate chip cookie, crisp outside and soft inside."
    ),
    # Restaurants and their chefs
    "À deux pas de la place Bellecour, notre premier restaurant : un four à sole en pierre, une pâte maturée "
    "48 heures et une petite salle pour attendre sa pizza à emporter.": "A stone's throw from place "
    "Bellecour, our first restaurant: a stone-floor oven, dough matured for 48 hours and a small room to wait "
    "for your takeaway pizza.",
    "Né à Naples, il a appris la pâte chez son oncle avant de rejoindre Lyon.": (
        "Born in Naples, he learnt the dough at his uncle's before coming to Lyon."
    ),
    "Championne de France de pizza acrobatique 2023, reine de la Margherita.": (
        "French acrobatic pizza champion 2023, queen of the Margherita."
    ),
    "Sur le plateau, face au marché du boulevard : des pizzas généreuses, des produits de nos voisins "
    "maraîchers et la livraison jusqu'aux pentes. Fermé le lundi.": "On the plateau, facing the boulevard's "
    "market: generous pizzas, produce from our market-gardener neighbours and delivery down to the slopes. "
    "Closed on Mondays.",
    "Quinze ans de four à bois entre Salerne et Lyon ; il ne jure que par la farine tipo 00.": (
        "Fifteen years at wood-fired ovens between Salerno and Lyon; he swears by tipo 00 flour."
    ),
    "Ancienne boulangère, elle prépare chaque matin les pâtons du restaurant.": (
        "A former baker, she makes the restaurant's dough balls every morning."
    ),
    "Le plus grand de nos restaurants, tout près de la gare : deux fours, une équipe de livreurs à vélo et des "
    "pizzas prêtes en un quart d'heure, midi et soir.": "Our largest restaurant, close to the station: two "
    "ovens, a team of bicycle couriers and pizzas ready in a quarter of an hour, lunchtime and evening.",
    "Formée à l'Associazione Verace Pizza Napoletana, elle veille sur les deux fours de la maison.": (
        "Trained by the Associazione Verace Pizza Napoletana, she looks after the restaurant's two ovens."
    ),
    "Le plus rapide du réseau : quarante pizzas à l'heure sans jamais rater une croûte.": (
        "The fastest in the chain: forty pizzas an hour without ever missing a crust."
    ),
    "Face au marché des Enfants-Rouges, notre adresse parisienne historique : pizzas au feu vif, burrata des "
    "Pouilles et livraison dans tout le Marais et jusqu'à Oberkampf.": "Facing the Marché des "
    "Enfants-Rouges, our first address in Paris: pizzas baked over a fierce fire, burrata from Puglia and "
    "delivery all over the Marais and up to Oberkampf.",
    "Arrivé de Rome en 2015, il signe la Diavola et l'huile pimentée maison.": (
        "Came from Rome in 2015; the Diavola and the house chilli oil are his."
    ),
    "Passée par les cuisines d'un palace, elle a choisi la pizza « pour le feu et pour le rythme ».": (
        "After the kitchens of a grand hotel, she chose pizza \u201cfor the fire and the pace\u201d."
    ),
    "Le petit dernier, au cœur du village des Batignolles : une carte courte, des produits frais chaque "
    "matin, et des livraisons jusqu'à Montmartre.": "Our newest, in the heart of the Batignolles village: a "
    "short menu, fresh produce every morning, and deliveries up to Montmartre.",
    "Fils de pizzaiolo, il a grandi entre les sacs de farine à Bari.": (
        "A pizzaiolo's son, he grew up among the flour sacks in Bari."
    ),
    "Reconvertie après dix ans de finance ; sa Chèvre-Miel a fait la réputation du quartier.": (
        "She changed careers after ten years in finance; her Goat's Cheese & Honey made the neighbourhood's name."
    ),
}


def english(french: str) -> str:
    """The English of a French text of the demo's data. Raises KeyError naming a text without one."""
    try:
        return ENGLISH[french]
    except KeyError:
        raise KeyError(
            f"No English for the demo's text {french!r}: add it to ocpizza/demo/english.py"
        ) from None
