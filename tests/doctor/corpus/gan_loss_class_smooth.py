"""A vanilla GANLoss class built with a smoothed real label (target_real_label=0.9)."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=pass T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T06=pass GANLoss(target_real_label=0.9): D's real targets are 0.9
# reason: T02=pass loss_g = gan_loss(D(G(z)), True): fakes labelled real
import torch
import torch.nn as nn
from torchvision import datasets, transforms


class GANLoss(nn.Module):
    def __init__(self, target_real_label=1.0, target_fake_label=0.0):
        super().__init__()
        self.register_buffer("real_label", torch.tensor(target_real_label))
        self.register_buffer("fake_label", torch.tensor(target_fake_label))
        self.loss = nn.BCEWithLogitsLoss()

    def forward(self, prediction, is_real=True):
        target = self.real_label if is_real else self.fake_label
        return self.loss(prediction, target.expand_as(prediction))


G = nn.Sequential(
    nn.ConvTranspose2d(64, 128, 4, 1, 0), nn.BatchNorm2d(128), nn.ReLU(True),
    nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(True),
    nn.ConvTranspose2d(64, 3, 4, 2, 1), nn.Tanh(),
)
D = nn.Sequential(
    nn.Conv2d(3, 64, 4, 2, 1), nn.LeakyReLU(0.2, True),
    nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2, True),
    nn.Conv2d(128, 1, 4, 1, 0),
)
gan_loss = GANLoss(target_real_label=0.9)
opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
tf = transforms.Compose([transforms.Resize(16), transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
loader = torch.utils.data.DataLoader(datasets.CIFAR10("data", download=True, transform=tf), batch_size=64)

for epoch in range(30):
    for real, _ in loader:
        z = torch.randn(real.size(0), 64, 1, 1)
        fake = G(z)
        loss_d = gan_loss(D(real), True) + gan_loss(D(fake.detach()), False)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = gan_loss(D(fake), True)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
