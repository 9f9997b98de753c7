from django.urls import path

from sales import staff

urlpatterns = [
    path("staff/sales/", staff.sales_record, name="staff_sales_record"),
    path("staff/sales/closings/<int:pk>/", staff.sales_closing, name="staff_sales_closing"),
    path("staff/sales/closings/<int:pk>/archive/", staff.sales_archive, name="staff_sales_archive"),
    path("staff/sales/integrity/", staff.sales_integrity, name="staff_sales_integrity"),
]
