"""D sees one concatenated real+fake batch with concatenated labels; D has BatchNorm."""
# expect: T01=pass T02=pass T03=pass T04=fail T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T04=fail torch.cat([real, fake.detach()], 0) is fed to a D with BatchNorm2d
# reason: T02=pass G's targets are torch.ones(b): fakes labelled real
import torch
import torch.nn as nn
from torchvision import datasets, transforms

latent = 100


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(latent, 128 * 8 * 8)
        self.up = nn.Sequential(
            nn.BatchNorm2d(128), nn.ReLU(),
            nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, 3, 4, 2, 1), nn.Tanh(),
        )

    def forward(self, z):
        return self.up(self.fc(z).view(-1, 128, 8, 8))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(3, 64, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        )
        self.fc = nn.Linear(128 * 8 * 8, 1)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1)).squeeze(1)


gen, dis = Generator(), Discriminator()
loss_fn = nn.BCEWithLogitsLoss()
opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(dis.parameters(), lr=2e-4, betas=(0.5, 0.999))
tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
loader = torch.utils.data.DataLoader(datasets.SVHN("data", download=True, transform=tf), batch_size=64, shuffle=True)

for epoch in range(20):
    for real, _ in loader:
        b = real.size(0)
        fake = gen(torch.randn(b, latent))
        batch = torch.cat([real, fake.detach()], 0)
        targets = torch.cat([torch.ones(b), torch.zeros(b)])
        d_loss = loss_fn(dis(batch), targets)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = loss_fn(dis(fake), torch.ones(b))
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
