from django.db import models


class Question(models.Model):
    """The tutorial's poll: a question and its choices."""

    question_text = models.CharField(max_length=200)
    pub_date = models.DateTimeField()

    def __str__(self) -> str:
        return self.question_text


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    choice_text = models.CharField(max_length=200)
    votes = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.choice_text


class Item(models.Model):
    """A row of the list page: a name, a description, a price."""

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300)
    price = models.DecimalField(max_digits=6, decimal_places=2)

    def __str__(self) -> str:
        return self.name
