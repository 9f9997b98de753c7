"""The first version of each legal page, published, written for OC Pizza, and the company's details row.

The company's identifiers (RCS, SIREN, VAT number, registered office, host) are left for head office to fill
in the admin (Legal pages > Company details): the pages show what is filled. Retention periods are not in
these texts: the privacy policy's page shows them from the settings (legal.retention)."""

import re

from django.db import migrations

LEGAL_NOTICE = """## Éditeur du site
Le site est édité par la société dont les coordonnées figurent ci-dessus. Pour toute question : l'adresse de contact ci-dessus, ou le restaurant de votre commande.

## Hébergement
Le site et ses données sont hébergés par l'hébergeur indiqué ci-dessus, dans l'Union européenne. Les photos sont stockées chez Amazon Web Services (région de l'Union européenne). Les paiements en ligne sont traités par Stripe Payments Europe Ltd., 1 Grand Canal Street Lower, Dublin 2, Irlande.

## Propriété intellectuelle
Les textes, photos, logos et la marque OC Pizza sont la propriété de l'éditeur. Toute reproduction sans autorisation est interdite.

## Données personnelles
Le traitement de vos données est décrit dans la politique de confidentialité, accessible en bas de chaque page.

## Médiation de la consommation
En cas de litige non résolu avec le service client, vous pouvez recourir gratuitement au médiateur de la consommation dont l'éditeur relève, ou à la plateforme européenne de règlement en ligne des litiges : https://ec.europa.eu/consumers/odr."""

PRIVACY = """## Qui est responsable de vos données
L'éditeur du site (voir les mentions légales) est responsable des traitements décrits ici.

## Ce que nous collectons, et pourquoi
Compte client : nom, prénom, adresse e-mail, téléphone, langue préférée et mot de passe (chiffré). Pour vous identifier, préparer et livrer vos commandes et vous joindre à leur sujet. Base légale : l'exécution du contrat.

Carnet d'adresses : les adresses de livraison que vous enregistrez et leurs instructions. Pour livrer. Base légale : l'exécution du contrat.

Commandes : les produits, les prix, la TVA, l'heure, le mode de retrait ou de livraison, l'adresse et la note de la commande, les paiements et les remboursements. Pour préparer, livrer, encaisser et rembourser. Base légale : l'exécution du contrat ; pour les montants, la TVA, les dates et les moyens de paiement, une obligation légale (comptabilité et registre des ventes inaltérable, article 286 du Code général des impôts).

Paiement en ligne : vos données de carte sont saisies chez Stripe et ne nous parviennent jamais ; nous gardons la référence du paiement.

Acceptation des conditions générales de vente : la version acceptée et l'heure, pour chaque commande. Base légale : l'exécution du contrat et la preuve de votre accord.

E-mails : confirmation et suivi de commande, e-mails de compte (confirmation d'adresse, mot de passe). Aucun e-mail publicitaire n'est envoyé.

Sécurité : des journaux techniques (adresse IP, page demandée, heure) servent à protéger le site et à corriger les erreurs ; ils ne contiennent ni mot de passe ni donnée de paiement.

## Qui y a accès
Le personnel du restaurant de votre commande (cuisine, comptoir, livreur, gérant) voit ce qui lui sert à la préparer et à la livrer ; le siège voit l'ensemble. Nos sous-traitants : l'hébergeur, Amazon Web Services (photos), Stripe (paiements), notre prestataire d'e-mail. Aucune donnée n'est vendue ni cédée.

## Combien de temps
Les durées figurent dans le tableau ci-dessus ; passé ce délai, les données sont anonymisées. Les montants, la TVA, les dates et les moyens de paiement restent dans le registre des ventes pendant la durée légale, sans votre nom ni vos coordonnées.

## Vos droits
Vous pouvez accéder à vos données, les rectifier depuis votre profil, les recevoir dans un format lisible (export), demander leur effacement, vous opposer à un traitement ou en demander la limitation. Écrivez à l'adresse de contact des mentions légales ; nous répondons sous un mois. Si vous estimez que vos droits ne sont pas respectés, vous pouvez saisir la CNIL (www.cnil.fr).

## Cookies
Le site n'utilise que des cookies nécessaires à son fonctionnement (session, panier, langue, protection contre la falsification de requêtes). Aucun cookie de mesure d'audience ni de publicité : aucun consentement n'est donc demandé."""

TERMS = """## Objet
Ces conditions s'appliquent aux commandes passées sur ce site, par téléphone ou au comptoir auprès des restaurants OC Pizza, par des consommateurs.

## Commande
Vous choisissez un restaurant, des produits et un mode de retrait (à emporter ou en livraison dans les zones du restaurant, à partir du minimum de commande affiché). La commande est ferme lorsque vous la validez après avoir accepté ces conditions ; elle est confirmée par e-mail. Les allergènes de chaque produit sont indiqués sur sa fiche.

## Prix
Les prix sont indiqués en euros, toutes taxes comprises (TVA incluse). Les frais de livraison sont indiqués avant la validation. Le prix facturé est celui affiché lors de la validation.

## Paiement
En ligne par carte bancaire (via Stripe), ou au retrait et à la livraison en espèces ou par carte selon le choix fait à la commande. Une commande à payer en ligne non payée dans le délai indiqué est annulée.

## Modification et annulation
Tant que la préparation n'a pas commencé, vous pouvez modifier ou annuler votre commande depuis votre compte ; le montant déjà payé est remboursé sur le même moyen de paiement, ou la différence demandée. Une fois la préparation commencée, la commande ne peut plus être modifiée ni annulée.

## Droit de rétractation
Conformément à l'article L221-28 du Code de la consommation, le droit de rétractation ne s'applique pas aux denrées alimentaires préparées à la demande et susceptibles de se détériorer rapidement.

## Livraison et retrait
L'heure indiquée est une estimation. Si vous êtes absent à la livraison, le livreur tente de vous joindre ; une commande non remise peut être annulée.

## Réclamations
Adressez toute réclamation au restaurant de votre commande ou à l'adresse de contact des mentions légales. En cas de litige, vous pouvez recourir gratuitement au médiateur de la consommation indiqué dans les mentions légales.

## Données personnelles
Voir la politique de confidentialité.

## Droit applicable
Ces conditions sont soumises au droit français."""


def _french(text: str) -> str:
    """A no-break space before : ; ? ! as French typography (and the site's catalogue) writes it."""
    return re.sub(r" ([:;?!])", "\u00a0\\1", text)


def create(apps, schema_editor):
    LegalDocument = apps.get_model("legal", "LegalDocument")
    CompanyDetails = apps.get_model("legal", "CompanyDetails")
    from django.utils import timezone

    now = timezone.now()
    for kind, body in (("legal_notice", LEGAL_NOTICE), ("privacy", PRIVACY), ("terms", TERMS)):
        LegalDocument.objects.get_or_create(kind=kind, version=1, defaults={"body": _french(body), "published_at": now})
    CompanyDetails.objects.get_or_create(pk=1, defaults={"name": "OC Pizza"})


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
